/// A binary operation: arithmetic, comparison (optionally `bool`), or a set operation, with vector matching.
public struct BinaryExpr: Sendable, Hashable {
    public let op: BinaryOp
    public let lhs: Expr
    public let rhs: Expr
    /// `bool` after a comparison: return 0/1 instead of filtering.
    public let returnBool: Bool
    /// How the two sides match; nil unless both sides are instant vectors (as in Prometheus).
    public let matching: VectorMatching?
    /// From the start of ``lhs`` to the end of ``rhs``.
    public let position: PositionRange
    /// Scalar when both sides are scalars, otherwise an instant vector.
    public let type: ValueType

    // Position and type are stored rather than computed: computing them walks the tree, and long operator
    // chains make deep trees.
    public init(_ op: BinaryOp, lhs: Expr, rhs: Expr, returnBool: Bool = false, matching: VectorMatching? = nil) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
        position = PositionRange(start: lhs.position.start, end: rhs.position.end)
        type = lhs.type == .scalar && rhs.type == .scalar ? .scalar : .vector
    }
}

/// The binary operators; the raw value is how PromQL writes them.
public enum BinaryOp: String, Sendable, Hashable, CaseIterable {
    case add = "+"
    case sub = "-"
    case mul = "*"
    case div = "/"
    case mod = "%"
    case pow = "^"
    case atan2
    case eql = "=="
    case neq = "!="
    case gtr = ">"
    case lss = "<"
    case gte = ">="
    case lte = "<="
    case and
    case or
    case unless

    public var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: true
        default: false
        }
    }

    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }

    /// Binding strength, Prometheus's: `or` < `and`/`unless` < comparisons < `+ -` < `* / % atan2` < `^`.
    public var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: 3
        case .add, .sub: 4
        case .mul, .div, .mod, .atan2: 5
        case .pow: 6
        }
    }

    /// Only `^` groups to the right.
    public var isRightAssociative: Bool { self == .pow }
}

/// How the elements of two instant vectors are paired: `on (...)`/`ignoring (...)`, `group_left`/`group_right`.
public struct VectorMatching: Sendable, Hashable {
    public enum Cardinality: String, Sendable, Hashable {
        case oneToOne = "one-to-one"
        case manyToOne = "many-to-one"
        case oneToMany = "one-to-many"
        case manyToMany = "many-to-many"
    }

    public var cardinality: Cardinality
    /// The labels of `on (...)` or `ignoring (...)`.
    public var matchingLabels: [String]
    /// `on` rather than `ignoring`.
    public var on: Bool
    /// The extra labels of `group_left (...)` / `group_right (...)`.
    public var include: [String]

    public init(cardinality: Cardinality, matchingLabels: [String] = [], on: Bool = false, include: [String] = []) {
        self.cardinality = cardinality
        self.matchingLabels = matchingLabels
        self.on = on
        self.include = include
    }
}
