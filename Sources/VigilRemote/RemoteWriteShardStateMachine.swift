/// The queue of one sender shard as a value: what to send next, when to wait, when to stop. The shard's
/// task performs the actions; the machine has no clock and no concurrency, so it is tested on its own.
///
/// A batch goes out when ``maxBatch`` samples are queued, or when the batch deadline ticked while samples
/// were waiting (a partial batch), or while draining at shutdown. A full queue drops the newest samples.
struct RemoteWriteShardStateMachine {
    enum NextAction: Equatable {
        /// Send these samples (oldest first) now.
        case send([RemoteWriteSample])
        /// Nothing to do until a wake-up.
        case wait
        /// Draining and empty: the shard is done.
        case finish
    }

    let capacity: Int
    let maxBatch: Int
    private var queue: [RemoteWriteSample] = []
    private var head = 0
    private var flushDue = false
    private(set) var draining = false

    init(capacity: Int, maxBatch: Int) {
        self.capacity = max(capacity, 1)
        self.maxBatch = max(maxBatch, 1)
    }

    var pending: Int { queue.count - head }

    /// Queues what fits; returns how many of `samples` were dropped because the queue is full.
    mutating func enqueue(_ samples: some Collection<RemoteWriteSample>) -> Int {
        let room = max(capacity - pending, 0)
        let taken = min(room, samples.count)
        queue.append(contentsOf: samples.prefix(taken))
        return samples.count - taken
    }

    /// Whether a waiting shard should wake up now.
    var hasWork: Bool { pending >= maxBatch || (pending > 0 && (flushDue || draining)) || (draining && pending == 0) }

    /// The batch deadline ticked: the next ``next()`` sends a partial batch if samples wait.
    mutating func deadlinePassed() {
        flushDue = pending > 0
    }

    /// Shutdown began: send everything queued, then finish.
    mutating func startDraining() {
        draining = true
    }

    /// Takes every queued sample without sending it (shutdown deadline passed); returns them.
    mutating func abandon() -> Int {
        let count = pending
        queue.removeAll(keepingCapacity: false)
        head = 0
        return count
    }

    mutating func next() -> NextAction {
        if pending >= maxBatch || (pending > 0 && (flushDue || draining)) {
            let count = min(pending, maxBatch)
            let batch = Array(queue[head..<head + count])
            head += count
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 4096 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            if pending == 0 { flushDue = false }
            return .send(batch)
        }
        return draining ? .finish : .wait
    }
}
