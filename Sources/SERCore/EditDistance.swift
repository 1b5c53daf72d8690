/// Levenshtein distance between `a` and `b`, ignoring case (both are lowercased first): the number of
/// single-character insertions, deletions and substitutions turning one into the other. Used for
/// "did you mean" suggestions on unknown config and feature-spec keys; O(|a| x |b|) time, O(|b|) memory.
public func editDistance(_ a: String, _ b: String) -> Int {
    let left = Array(a.lowercased())
    let right = Array(b.lowercased())
    if left.isEmpty { return right.count }
    if right.isEmpty { return left.count }
    var previous = Array(0...right.count)
    var current = [Int](repeating: 0, count: right.count + 1)
    for i in 1...left.count {
        current[0] = i
        for j in 1...right.count {
            let cost = left[i - 1] == right[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[right.count]
}

/// The candidate closest to `word` by edit distance (ties: first in order), for "did you mean".
public func closest(to word: String, in candidates: [String]) -> String? {
    candidates.min { editDistance(word, $0) < editDistance(word, $1) }
}
