public import ElohimCore

/// A runtime could not do what was asked (the model manager's error type: reason + what to do).
public typealias RuntimeError = ModelError
