/// A range vector selector: `http_requests_total{job="api"}[5m]`. Offset and `@` live on the inner selector.
public struct MatrixSelector: Sendable, Hashable {
    public var vectorSelector: VectorSelector
    /// The range in milliseconds (always positive).
    public var rangeMilliseconds: Int64
    /// The byte offset just past the selector and its modifiers.
    public var endPosition: Int

    public init(vectorSelector: VectorSelector, rangeMilliseconds: Int64, endPosition: Int = 0) {
        self.vectorSelector = vectorSelector
        self.rangeMilliseconds = rangeMilliseconds
        self.endPosition = endPosition
    }

    public var position: PositionRange { PositionRange(start: vectorSelector.position.start, end: endPosition) }
}
