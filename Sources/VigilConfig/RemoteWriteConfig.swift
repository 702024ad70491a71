/// One `remote_write` entry: a store that receives a copy of every sample (remote_write 1.0).
public struct RemoteWriteConfig: Sendable, Hashable {
    /// `url`: the receiver's endpoint, `http://` or `https://`.
    public var url: String
    /// `name`: shown in metrics and logs; unique among named entries; may be empty.
    public var name: String
    /// `remote_timeout`: one request's deadline (default 30s).
    public var remoteTimeout: Duration
    /// `headers`: sent with every request (not the ones remote_write itself sets).
    public var headers: [String: String]
    /// `write_relabel_configs`: applied to each series before it is sent; a dropped series is not sent.
    public var writeRelabelConfigs: [RelabelConfig]
    /// `basic_auth`, `authorization`, `tls_config`, `follow_redirects`, `enable_http2` (default false here).
    public var httpClient: HTTPClientConfig
    /// `queue_config`.
    public var queueConfig: QueueConfig
    /// `metadata_config`.
    public var metadataConfig: MetadataConfig

    public init(
        url: String,
        name: String = "",
        remoteTimeout: Duration = .seconds(30),
        headers: [String: String] = [:],
        writeRelabelConfigs: [RelabelConfig] = [],
        httpClient: HTTPClientConfig = HTTPClientConfig(enableHTTP2: false),
        queueConfig: QueueConfig = QueueConfig(),
        metadataConfig: MetadataConfig = MetadataConfig()
    ) {
        self.url = url
        self.name = name
        self.remoteTimeout = remoteTimeout
        self.headers = headers
        self.writeRelabelConfigs = writeRelabelConfigs
        self.httpClient = httpClient
        self.queueConfig = queueConfig
        self.metadataConfig = metadataConfig
    }
}

/// `queue_config`: how samples are buffered, batched, sharded and retried, with Prometheus's defaults.
public struct QueueConfig: Sendable, Hashable {
    /// `capacity`: samples buffered per shard (default 10000).
    public var capacity: Int
    /// `max_shards` (default 50).
    public var maxShards: Int
    /// `min_shards` (default 1).
    public var minShards: Int
    /// `max_samples_per_send` (default 2000).
    public var maxSamplesPerSend: Int
    /// `batch_send_deadline`: a partial batch is sent after this long (default 5s).
    public var batchSendDeadline: Duration
    /// `min_backoff`: first retry delay, doubled each retry (default 30ms).
    public var minBackoff: Duration
    /// `max_backoff` (default 5s).
    public var maxBackoff: Duration
    /// `retry_on_http_429`: retry on "429 Too Many Requests" (default true).
    public var retryOnRateLimit: Bool
    /// `sample_age_limit`: samples older than this are dropped instead of sent (default 0: none).
    public var sampleAgeLimit: Duration

    public init(
        capacity: Int = 10000, maxShards: Int = 50, minShards: Int = 1, maxSamplesPerSend: Int = 2000,
        batchSendDeadline: Duration = .seconds(5), minBackoff: Duration = .milliseconds(30),
        maxBackoff: Duration = .seconds(5), retryOnRateLimit: Bool = true, sampleAgeLimit: Duration = .zero
    ) {
        self.capacity = capacity
        self.maxShards = maxShards
        self.minShards = minShards
        self.maxSamplesPerSend = maxSamplesPerSend
        self.batchSendDeadline = batchSendDeadline
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
        self.retryOnRateLimit = retryOnRateLimit
        self.sampleAgeLimit = sampleAgeLimit
    }
}

/// `metadata_config`: whether and how often metric metadata (type, help, unit) is sent.
public struct MetadataConfig: Sendable, Hashable {
    /// `send` (default true).
    public var send: Bool
    /// `send_interval` (default 1m).
    public var sendInterval: Duration
    /// `max_samples_per_send` (default 2000).
    public var maxSamplesPerSend: Int

    public init(send: Bool = true, sendInterval: Duration = .seconds(60), maxSamplesPerSend: Int = 2000) {
        self.send = send
        self.sendInterval = sendInterval
        self.maxSamplesPerSend = maxSamplesPerSend
    }
}
