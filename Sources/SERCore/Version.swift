/// serlab's version, recorded in every result, feature cache and checkpoint.
public let serlabVersion = "0.1.0"
