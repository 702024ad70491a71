import VigilModel

/// Several series with the same labels seen as one: their samples merged by timestamp, as Prometheus's
/// `ChainedSeriesMerge` (what a head and overlapping blocks, or a fanout of storages, need).
public struct ChainedSeries: Series {
    public let labels: Labels
    /// The merged series, in priority order: on equal timestamps the earliest one's sample is kept.
    public let series: [any Series]

    public init(labels: Labels, series: [any Series]) {
        self.labels = labels
        self.series = series
    }

    public func makeSampleIterator() -> any SampleIterator {
        if series.count == 1 { return series[0].makeSampleIterator() }
        return ChainSampleIterator(series.map { $0.makeSampleIterator() })
    }

    /// Reads each series in bulk, one after the other, when every one starts after the previous one ends
    /// (blocks oldest first, then the head: the usual case); merges sample by sample only when they overlap.
    public func appendSamples(into samples: inout [Sample], from mint: Int64, through maxt: Int64) throws(StorageError)
    {
        let base = samples.count
        for part in series {
            let start = samples.count
            try part.appendSamples(into: &samples, from: mint, through: maxt)
            guard start > base, start < samples.count, samples[start - 1].timestamp >= samples[start].timestamp
            else { continue }
            samples.removeSubrange(base...)
            try Self.append(
                ChainSampleIterator(series.map { $0.makeSampleIterator() }), into: &samples, from: mint, through: maxt)
            return
        }
    }
}

extension ChainedSeries {
    /// Summarises each series in turn when each starts after the previous one ends (the usual case, as in
    /// ``appendSamples(into:from:through:)``); reads the merged samples when they overlap.
    public func summarize(from mint: Int64, through maxt: Int64) throws(StorageError) -> SampleSummary {
        var summary = SampleSummary()
        for part in series {
            let next = try part.summarize(from: mint, through: maxt)
            guard let nextSpan = next.span else { continue }
            if let span = summary.span, nextSpan.lowerBound <= span.upperBound {
                var samples: [Sample] = []
                try appendSamples(into: &samples, from: mint, through: maxt)
                return SampleSummary(folding: samples)
            }
            summary.add(next)
        }
        return summary
    }
}

/// Merges sample iterators of one series in timestamp order, keeping one sample per timestamp: of
/// samples with equal timestamps, the one from the earliest iterator in the list.
///
/// Cheap when the inputs do not overlap (the current input keeps going without touching the heap
/// while it stays ahead); a k-way heap merge where they do.
public struct ChainSampleIterator: SampleIterator {
    private struct Head: Comparable {
        var timestamp: Int64
        var index: Int

        static func < (lhs: Head, rhs: Head) -> Bool {
            lhs.timestamp == rhs.timestamp ? lhs.index < rhs.index : lhs.timestamp < rhs.timestamp
        }
    }

    private enum State { case fresh, active, exhausted }

    private var iterators: [any SampleIterator]
    /// Inputs positioned at a sample later than the current one.
    private var heap = MinHeap<Head>()
    private var current = -1
    private var currentTimestamp = Int64.min
    private var state = State.fresh
    public private(set) var error: StorageError?

    public init(_ iterators: [any SampleIterator]) {
        self.iterators = iterators
    }

    public mutating func next() -> Bool {
        switch state {
        case .exhausted:
            return false
        case .fresh:
            state = .active
            for index in iterators.indices {
                guard advanceAndPush(index) else { return false }
            }
            return settle()
        case .active:
            let index = current
            if iterators[index].next() {
                let head = Head(timestamp: iterators[index].at().timestamp, index: index)
                if let top = heap.min, top < head {
                    heap.push(head)
                    return settle()
                }
                currentTimestamp = head.timestamp
                return dropDuplicates()
            }
            if let failure = iterators[index].error { return fail(failure) }
            return settle()
        }
    }

    public mutating func seek(to timestamp: Int64) -> Bool {
        var candidates: [Int]
        switch state {
        case .exhausted:
            return false
        case .active where currentTimestamp >= timestamp:
            return true
        case .fresh:
            state = .active
            candidates = Array(iterators.indices)
        case .active:
            candidates = heap.elements.map(\.index)
            candidates.append(current)
            heap.removeAll()
        }
        for index in candidates {
            if iterators[index].seek(to: timestamp) {
                heap.push(Head(timestamp: iterators[index].at().timestamp, index: index))
            } else if let failure = iterators[index].error {
                return fail(failure)
            }
        }
        return settle()
    }

    public func at() -> Sample { iterators[current].at() }

    /// Makes the earliest input in the heap the current one.
    private mutating func settle() -> Bool {
        guard let head = heap.popMin() else {
            state = .exhausted
            current = -1
            return false
        }
        current = head.index
        currentTimestamp = head.timestamp
        return dropDuplicates()
    }

    /// Moves every other input at the current timestamp past it.
    private mutating func dropDuplicates() -> Bool {
        while let top = heap.min, top.timestamp == currentTimestamp {
            _ = heap.popMin()
            guard advanceAndPush(top.index) else { return false }
        }
        return true
    }

    /// Advances an input and puts it in the heap unless it ended; false only on failure.
    private mutating func advanceAndPush(_ index: Int) -> Bool {
        if iterators[index].next() {
            heap.push(Head(timestamp: iterators[index].at().timestamp, index: index))
            return true
        }
        if let failure = iterators[index].error { return fail(failure) }
        return true
    }

    private mutating func fail(_ failure: StorageError) -> Bool {
        error = failure
        state = .exhausted
        current = -1
        return false
    }
}
