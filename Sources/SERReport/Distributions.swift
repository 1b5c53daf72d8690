import Foundation

/// Cumulative distribution functions and quantiles the significance tests need, written here so
/// serlab depends on no statistics library. Accuracy: about 1e-12 relative against scipy 1.17
/// (see `DistributionsTests` for the reference values and the command that produced them).
public enum Distributions {
    /// Standard normal CDF, Φ(x) = erfc(-x / √2) / 2 (libm's `erfc`, accurate in both tails).
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Upper tail of the standard normal, 1 - Φ(x), without cancellation for large x.
    public static func normalSurvival(_ x: Double) -> Double {
        0.5 * erfc(x / 2.0.squareRoot())
    }

    /// Student's t CDF with `degreesOfFreedom` ν > 0:
    /// for t ≥ 0, 1 - I_{ν/(ν+t²)}(ν/2, 1/2) / 2, and symmetric for t < 0.
    public static func studentTCDF(_ t: Double, degreesOfFreedom: Double) -> Double {
        precondition(degreesOfFreedom > 0, "degreesOfFreedom must be positive, got \(degreesOfFreedom)")
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let x = degreesOfFreedom / (degreesOfFreedom + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: degreesOfFreedom / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// Two-sided p-value of a t statistic: P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2).
    public static func studentTTwoSidedP(_ t: Double, degreesOfFreedom: Double) -> Double {
        if t.isInfinite { return 0 }
        let x = degreesOfFreedom / (degreesOfFreedom + t * t)
        return min(1, regularizedIncompleteBeta(x, a: degreesOfFreedom / 2, b: 0.5))
    }

    /// The t quantile: the t with `studentTCDF(t, ν) == probability`, by bisection on the CDF
    /// (monotone; 200 halvings of a bracket that doubles until it holds, exact to double precision).
    public static func studentTQuantile(_ probability: Double, degreesOfFreedom: Double) -> Double {
        precondition(probability > 0 && probability < 1, "probability must be in (0, 1), got \(probability)")
        if probability == 0.5 { return 0 }
        if probability < 0.5 { return -studentTQuantile(1 - probability, degreesOfFreedom: degreesOfFreedom) }
        var low = 0.0
        var high = 1.0
        while studentTCDF(high, degreesOfFreedom: degreesOfFreedom) < probability { low = high; high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if studentTCDF(middle, degreesOfFreedom: degreesOfFreedom) < probability { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// Upper tail of the χ² distribution with one degree of freedom: P(X ≥ x) = 2 (1 - Φ(√x)).
    public static func chiSquaredOneSurvival(_ x: Double) -> Double {
        x <= 0 ? 1 : 2 * normalSurvival(x.squareRoot())
    }

    /// Two-sided exact binomial test p-value for `successes` out of `trials` at p = 1/2:
    /// min(1, 2 P(X ≤ min(k, n - k))), the form statsmodels' exact McNemar uses.
    public static func binomialTwoSidedHalfP(successes: Int, trials: Int) -> Double {
        precondition(trials >= 0 && successes >= 0 && successes <= trials, "bad binomial counts \(successes)/\(trials)")
        if trials == 0 { return 1 }
        let k = min(successes, trials - successes)
        var tail = 0.0
        for i in 0...k { tail += exp(logBinomialCoefficient(trials, i) - Double(trials) * log(2.0)) }
        return min(1, 2 * tail)
    }

    /// log C(n, k) through lgamma.
    public static func logBinomialCoefficient(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// The regularised incomplete beta function I_x(a, b), by its continued fraction
    /// (modified Lentz, Numerical Recipes §6.4), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
    /// where the fraction converges faster.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "beta parameters must be positive, got a=\(a) b=\(b)")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        let logFrontSwapped = lgamma(a + b) - lgamma(a) - lgamma(b) + b * log1p(-x) + a * log(x)
        return 1 - exp(logFrontSwapped) * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
