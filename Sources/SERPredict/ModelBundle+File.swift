import Foundation
import SERCore
import SERExperiment
import SERFeatures
import SERHDF5
import SERNet

extension ModelBundle {
    /// Writes the bundle to `url` as a sealed HDF5 file (`HDF5File.writeSealed`: atomic, SHA-256
    /// trailer), replacing any file there. Checks first that every member fits (`ModelBundleError`).
    public func write(to url: URL) throws {
        let path = url.path
        try validate(path: path)
        do {
            try HDF5File.writeSealed(to: url) { root in
                try root.setAttribute("format", Self.formatName)
                try root.setAttribute("format_version", Int64(Self.formatVersion))
                try root.setAttribute("serlab_version", serlabVersion)
                try root.setAttribute("provenance", provenance)
                try root.setAttribute("data_fingerprint", dataFingerprint)
                try root.setAttribute("feature_code_version", Int64(featureCodeVersion))
                try root.setAttribute("feature_spec", featureSpec.canonicalJSON)
                try root.setAttribute("input", try Self.canonicalJSON(input))
                try root.setAttribute("normalization", normalization.rawValue)
                try root.setAttribute("member_count", Int64(members.count))
                _ = try root.createStringDataset("labels", strings: labels)
                _ = try root.createStringDataset("resolved_config", strings: [resolvedConfig.prettyPrinted()])
                let group = try root.createGroup("members")
                for (index, member) in members.enumerated() {
                    let memberGroup = try group.createGroup(String(index))
                    try Checkpoint.write(member.model, into: memberGroup)
                    if let global = member.normalizer.global {
                        let statistics = try memberGroup.createGroup("normalizer")
                        _ = try statistics.createDataset("mean", values: global.mean, shape: [global.mean.count])
                        _ = try statistics.createDataset("std", values: global.std, shape: [global.std.count])
                    }
                }
            }
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw ModelBundleError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Reads and checks a bundle: the seal first (a truncated or bit-flipped file is `.unreadable`, never
    /// a crash), then the format and version, that this serlab computes the same features, and that
    /// every member fits the labels and the feature columns.
    public static func read(_ url: URL) throws -> ModelBundle {
        try HDF5File.readSealed(url, unreadable: { ModelBundleError.unreadable(path: url.path, reason: $0.localizedDescription) }) { root in
            try read(from: root, path: url.path)
        }
    }

    /// A bundle from the root group of its (already verified) file; `path` names it in errors.
    static func read(from root: HDF5Group, path: String) throws -> ModelBundle {
        func required<T>(_ what: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as ModelBundleError { throw error } catch {
                throw ModelBundleError.notABundle(path: path, reason: "\(what): \(error.localizedDescription)")
            }
        }
        let format = try required("attribute 'format'") { try root.stringAttribute("format") }
        guard format == formatName else {
            let hint = format == Checkpoint.formatName ? " (a single checkpoint: make a bundle with `serlab bundle` or `serlab train`)" : ""
            throw ModelBundleError.notABundle(path: path, reason: "attribute 'format' is '\(format)', expected '\(formatName)'\(hint)")
        }
        let version = try required("attribute 'format_version'") { try root.attribute("format_version", as: Int64.self) }
        guard version <= Int64(formatVersion) else { throw ModelBundleError.newerFormat(path: path, found: Int(version)) }
        guard version >= 1 else { throw ModelBundleError.notABundle(path: path, reason: "format_version \(version) is not a valid version") }

        let codeVersion = Int(try required("attribute 'feature_code_version'") { try root.attribute("feature_code_version", as: Int64.self) })
        guard codeVersion == SERFeatures.featureCodeVersion else {
            throw ModelBundleError.otherFeatures(path: path, reason: "feature code version \(codeVersion), this serlab computes version \(SERFeatures.featureCodeVersion)")
        }
        let specJSON = try required("attribute 'feature_spec'") { try root.stringAttribute("feature_spec") }
        let spec: FeatureSpec
        do {
            spec = try FeatureSpec.decode(json: Data(specJSON.utf8))
            try spec.validate()
        } catch {
            throw ModelBundleError.otherFeatures(path: path, reason: "this serlab cannot use the stored feature spec: \(error.localizedDescription)")
        }
        guard spec.canonicalJSON == specJSON else {
            throw ModelBundleError.otherFeatures(path: path, reason: "the stored feature spec \(specJSON) reads here as \(spec.canonicalJSON)")
        }
        let inputJSON = try required("attribute 'input'") { try root.stringAttribute("input") }
        let input = try required("attribute 'input'") { try JSONDecoder().decode(InputConfig.self, from: Data(inputJSON.utf8)) }
        let kindText = try required("attribute 'normalization'") { try root.stringAttribute("normalization") }
        guard let normalization = FeatureNormalization(rawValue: kindText) else {
            throw ModelBundleError.notABundle(path: path, reason: "attribute 'normalization' is '\(kindText)', expected one of "
                                              + FeatureNormalization.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let labels = try required("dataset 'labels'") { try root.openDataset("labels").readStrings() }
        let configText = try required("dataset 'resolved_config'") { try root.openDataset("resolved_config").readStrings() }
        guard configText.count == 1 else { throw ModelBundleError.notABundle(path: path, reason: "dataset 'resolved_config' holds \(configText.count) strings, expected 1") }
        let resolvedConfig = try required("dataset 'resolved_config'") { try JSONParser.parse(configText[0], source: "\(path) /resolved_config") }

        let memberCount = Int(try required("attribute 'member_count'") { try root.attribute("member_count", as: Int64.self) })
        guard memberCount >= 1 else { throw ModelBundleError.notABundle(path: path, reason: "member_count is \(memberCount), expected at least 1") }
        let membersGroup = try required("group 'members'") { try root.openGroup("members") }
        var members: [BundleMember] = []
        for index in 0..<memberCount {
            let group = try required("group 'members/\(index)'") { try membersGroup.openGroup(String(index)) }
            let model: Model
            do {
                model = try Checkpoint.read(from: group, path: "group /members/\(index)")
            } catch {
                throw ModelBundleError.memberMismatch(path: path, member: index, reason: error.localizedDescription)
            }
            var global: (mean: [Double], std: [Double])?
            if group.exists("normalizer") {
                let mean: [Double] = try required("dataset 'members/\(index)/normalizer/mean'") { try group.openDataset("normalizer/mean").read() }
                let std: [Double] = try required("dataset 'members/\(index)/normalizer/std'") { try group.openDataset("normalizer/std").read() }
                global = (mean, std)
            }
            members.append(BundleMember(model: model, normalizer: Normalizer(kind: normalization, global: global)))
        }
        let bundle = ModelBundle(
            members: members, labels: labels, featureSpec: spec, featureCodeVersion: codeVersion, input: input, normalization: normalization,
            resolvedConfig: resolvedConfig,
            dataFingerprint: try required("attribute 'data_fingerprint'") { try root.stringAttribute("data_fingerprint") },
            provenance: try required("attribute 'provenance'") { try root.stringAttribute("provenance") },
            serlabVersion: try required("attribute 'serlab_version'") { try root.stringAttribute("serlab_version") })
        try bundle.validate(path: path)
        return bundle
    }

    /// Every member takes the spec's feature columns, has the bundle's labels, and carries statistics of
    /// that width (or none for `none` normalisation). Throws `.memberMismatch` (reading) naming the member.
    func validate(path: String) throws {
        guard !members.isEmpty else { throw ModelBundleError.notABundle(path: path, reason: "no member network") }
        guard !labels.isEmpty, Set(labels).count == labels.count else {
            throw ModelBundleError.notABundle(path: path, reason: "labels \(labels) must be distinct and at least one")
        }
        let columns: Int
        do { columns = try featureColumnCount() } catch {
            throw ModelBundleError.otherFeatures(path: path, reason: error.localizedDescription)
        }
        for (index, member) in members.enumerated() {
            func mismatch(_ reason: String) -> ModelBundleError { .memberMismatch(path: path, member: index, reason: reason) }
            let model = member.model
            guard model.inputSize == columns else {
                throw mismatch("the network takes \(model.inputSize) input features, the feature spec gives \(columns)")
            }
            guard model.classCount == labels.count, model.labels == labels else {
                throw mismatch("the network's labels \(model.labels) differ from the bundle's \(labels)")
            }
            guard member.normalizer.kind == normalization else {
                throw mismatch("its normalisation is '\(member.normalizer.kind.rawValue)', the bundle's '\(normalization.rawValue)'")
            }
            switch (normalization, member.normalizer.global) {
            case (.none, nil): break
            case (.none, _?): throw mismatch("statistics stored for 'none' normalisation")
            case (_, nil): throw mismatch("no normalisation statistics for '\(normalization.rawValue)' normalisation")
            case (_, let global?):
                guard global.mean.count == columns, global.std.count == columns else {
                    throw mismatch("normalisation statistics have \(global.mean.count) means and \(global.std.count) deviations for \(columns) features")
                }
            }
        }
    }

    static func canonicalJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
