import Foundation
import SERCore
import Testing
import SERNet
import SERTestSupport
@testable import SERExperiment

@Suite struct ConfigTests {
    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-config-\(UUID().uuidString).json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func defaultsResolveToTheSyntheticExperiment() throws {
        let config = try ConfigLoader.load(nil)
        #expect(config.dataset.corpus == .synthetic)
        #expect(config.resolvedName == "synthetic_default")
        #expect(config.training.epochs == 30)
        #expect(config.protocol.kind == .auto)
    }

    @Test func aConfigOnlySaysWhatDiffers() throws {
        let url = try write(#"{"training": {"epochs": 7}, "protocol": {"kind": "leaveOneSpeakerOut"}}"#)
        let config = try ConfigLoader.load(url)
        #expect(config.training.epochs == 7)
        #expect(config.training.batchSize == 32, "untouched keys keep their defaults")
        #expect(config.protocol.kind == .leaveOneSpeakerOut)
        #expect(config.resolvedName == url.deletingPathExtension().lastPathComponent)
    }

    @Test func unknownKeyNamesPathAndClosestKey() throws {
        let url = try write(#"{"training": {"epocs": 5}}"#)
        #expect {
            try ConfigLoader.load(url)
        } throws: { error in
            guard let error = error as? ConfigError, case let .unknownKey(_, path, suggestion, _) = error else { return false }
            let text = error.localizedDescription
            return path == "training.epocs" && suggestion == "training.epochs"
                && text.contains("unknown key \"training.epocs\"; did you mean \"training.epochs\"?")
                && text.contains(url.path)
        }
    }

    @Test func unknownTopLevelKeySuggestsClosest() throws {
        let url = try write(#"{"protocoll": {}}"#)
        do {
            _ = try ConfigLoader.load(url)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.localizedDescription.contains("did you mean \"protocol\"?"))
        }
    }

    @Test func wrongTypeNamesPathExpectedAndFound() throws {
        let url = try write(#"{"training": {"epochs": "ten"}}"#)
        do {
            _ = try ConfigLoader.load(url)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            let text = error.localizedDescription
            #expect(text.contains("\"training.epochs\": expected an integer from 1 to 100000, found a string (\"ten\")"), "\(text)")
        }
    }

    @Test func outOfRangeAndBadEnumValuesAreNamed() throws {
        let negative = try write(#"{"training": {"learningRate": -1}}"#)
        #expect(throws: ConfigError.self) { try ConfigLoader.load(negative) }
        let enumURL = try write(#"{"training": {"optimizer": "adma"}}"#)
        do {
            _ = try ConfigLoader.load(enumURL)
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("training.optimizer"))
            #expect(error.localizedDescription.contains("did you mean \"adam\"?"))
        }
    }

    @Test func nestedArrayErrorsNameTheIndex() throws {
        let url = try write(#"{"protocol": {"testSpeakers": [["a"], [3]]}}"#)
        do {
            _ = try ConfigLoader.load(url)
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("\"protocol.testSpeakers[1][0]\": expected a string, found an integer (3)"))
        }
    }

    @Test func invalidJSONSaysWhere() throws {
        let url = try write("{\n  \"training\": {\"epochs\": 5,}\n}")
        do {
            _ = try ConfigLoader.load(url)
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("line 2"), "\(error.localizedDescription)")
        }
    }

    @Test func setOverridesOneValueAndChecksIt() throws {
        let config = try ConfigLoader.load(nil, overrides: ["training.epochs=5", "dataset.labels=[\"happy\",\"sad\"]", "name=quick"])
        #expect(config.training.epochs == 5)
        #expect(config.dataset.labels == ["happy", "sad"])
        #expect(config.resolvedName == "quick")
        #expect(throws: ConfigError.self) { try ConfigLoader.load(nil, overrides: ["training.epoch=5"]) }
        #expect(throws: ConfigError.self) { try ConfigLoader.load(nil, overrides: ["training.epochs=many"]) }
        #expect(throws: ConfigError.self) { try ConfigLoader.load(nil, overrides: ["training.epochs"]) }
    }

    @Test func resolvedConfigHasEveryLeafAndReloadsToTheSame() throws {
        let tree = try ConfigLoader.resolvedTree(nil, overrides: ["training.seed=9"])
        // The schema lists every model type's keys; the resolved model holds those of its type.
        // The multi-corpus keys appear only when used (a single-corpus config resolves as before them).
        for (path, _) in ExperimentConfig.schema.leaves() where !path.hasPrefix("model.") && !ExperimentConfig.keysResolvedOnlyWhenUsed.contains(path) {
            var value: JSONValue? = tree
            for key in path.split(separator: ".") { value = value?[String(key)] }
            #expect(value != nil, "resolved config lacks \(path)")
        }
        #expect(tree["model"] == ModelSection.defaults(forType: "mlp"))
        let url = try write(tree.prettyPrinted())
        let again = try ConfigLoader.resolvedTree(url)
        #expect(again == tree)
    }

    @Test func oneResolvePassGivesTheTypedConfigAndItsJSON() throws {
        let url = try write(#"{"model": {"type": "cnn", "channels": [8]}, "training": {"epochs": 3}}"#)
        let resolved = try ConfigLoader.resolve(ConfigFile.read(url), overrides: ["training.seed=4"])
        #expect(resolved.json == (try ConfigLoader.resolvedTree(url, overrides: ["training.seed=4"])))
        #expect(try resolved.json["model"]?.decode(ModelSpec.self) == resolved.config.model.network)
        #expect(resolved.config.training.epochs == 3 && resolved.config.seed == 4)
        #expect(!(try ConfigFile.read(url)).isSuite)
    }

    @Test func defaultsListingExplainsEveryKey() {
        let listing = ConfigLoader.defaultsListing()
        let lines = listing.split(separator: "\n")
        #expect(lines.count == ExperimentConfig.schema.leaves().count)
        #expect(lines.allSatisfy { $0.contains(" = ") && $0.contains("# ") })
        #expect(listing.contains("training.epochs = 30"))
    }

    @Test func jsonSchemaDescribesAndClosesEveryObject() throws {
        let schema = ConfigField.jsonSchema()
        #expect(schema["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        #expect(schema["additionalProperties"] == .bool(false))
        let epochs = schema["properties"]?["training"]?["properties"]?["epochs"]
        #expect(epochs?["type"] == .string("integer"))
        #expect(epochs?["default"] == .integer(30))
        #expect(epochs?["minimum"] == .integer(1))
        #expect(epochs?["description"] != nil)
        let kinds = schema["properties"]?["protocol"]?["properties"]?["kind"]?["enum"]
        #expect(kinds == .array(ProtocolKind.allCases.map { .string($0.rawValue) }))
        // The schema is itself valid JSON that reads back to the same value.
        #expect(try JSONParser.parse(schema.prettyPrinted(), source: "schema") == schema)
    }

    @Test func editDistanceAndClosest() {
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("", "abc") == 3)
        #expect(closest(to: "lerningRate", in: ["epochs", "learningRate", "seed"]) == "learningRate")
    }
}

@Suite struct JSONTests {
    @Test func parserKeepsOrderAndTellsIntegersFromNumbers() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": 1.5, "c": [true, null, "x\"y"], "d": -2e3}"#, source: "t")
        #expect(value.objectPairs?.map(\.key) == ["b", "a", "c", "d"])
        #expect(value["b"] == .integer(1))
        #expect(value["a"] == .number(1.5))
        #expect(value["d"] == .number(-2000))
        #expect(value["c"] == .array([.bool(true), .null, .string("x\"y")]))
        #expect(try JSONParser.parse(value.prettyPrinted(), source: "t") == value)
    }

    @Test func duplicateKeysAndTrailingGarbageAreErrors() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#"{"a": 1, "a": 2}"#, source: "t") }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#"{"a": 1} x"#, source: "t") }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#"[1, 2"#, source: "t") }
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hexDigest(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(of: million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

@Suite struct SectionTests {
    @Test func modelDefaultsFollowTheChosenType() throws {
        let tree = try ConfigLoader.resolvedTree(nil, overrides: ["model.type=lstm", "model.hiddenSize=64"])
        #expect(tree["model"]?["type"] == .string("lstm"))
        #expect(tree["model"]?["hiddenSize"] == .integer(64))
        #expect(tree["model"]?["layerCount"] != nil, "the lstm's own defaults are filled in")
        #expect(tree["model"]?["hiddenSizes"] == nil, "no mlp keys in an lstm model")
    }

    @Test func aKeyOfAnotherModelTypeIsNamed() {
        do {
            _ = try ConfigLoader.load(nil, overrides: ["model.hiddenSize=64"])
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("model.hiddenSize"), "\(error.localizedDescription)")
        }
    }

    @Test func theModelIsTypedAndValidatedWhenTheConfigLoads() throws {
        let config = try ConfigLoader.load(nil, overrides: ["model.type=lstm", "model.hiddenSize=64"])
        guard case .network(.lstm(let spec)) = config.model else {
            Issue.record("expected an lstm spec, found \(config.model.typeName)")
            return
        }
        #expect(spec.hiddenSize == 64)
        #expect(spec.layerCount == LSTMSpec().layerCount)
        do {
            _ = try ConfigLoader.load(nil, overrides: ["model.type=lstm", "model.hiddenSize=0"])
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("\"model\": model.hiddenSize: expected >= 1, found 0"), "\(error.localizedDescription)")
        }
    }

    @Test func featureSpecValuesAreCheckedByTheSpec() {
        do {
            _ = try ConfigLoader.load(nil, overrides: ["features.hopLength=-3"])
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("hopLength"), "\(error.localizedDescription)")
        }
        #expect(throws: ConfigError.self) { try ConfigLoader.load(nil, overrides: ["features.hopLenght=160"]) }
    }

    @Test func nullableTrainingValuesAcceptNull() throws {
        let config = try ConfigLoader.load(nil, overrides: ["training.patience=null", "training.clipNorm=null"])
        #expect(config.training.patience == nil)
        #expect(config.training.clipNorm == nil)
    }

    @Test func everyShippedConfigAndSuiteValidates() throws {
        let root = TestSupport.packageRoot
        let configs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("configs").path).filter { $0.hasSuffix(".json") }
        #expect(configs.count >= 12)
        for name in configs {
            let file = try ConfigFile.read(root.appendingPathComponent("configs/\(name)"))
            if file.isFusion {
                let fusion = try LateFusion.load(file)
                #expect(fusion.members.count >= 2 && fusion.name == String(name.dropLast(5)))
                for member in fusion.members { _ = try ConfigLoader.load(member) }
                continue
            }
            let config = try ConfigLoader.load(root.appendingPathComponent("configs/\(name)"))
            #expect(config.resolvedName == String(name.dropLast(5)))
            // A multi-corpus config names its corpora in dataset.corpora (dataset.corpus then stays unused).
            let corpora = config.dataset.isMultiCorpus ? config.dataset.corpora.map(\.corpus) : [config.dataset.corpus]
            #expect(!corpora.contains(.synthetic), "\(name)")
        }
        let suites = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("experiments").path).filter { $0.hasSuffix(".json") }
        for name in suites {
            let suite = try ExperimentSuite.load(root.appendingPathComponent("experiments/\(name)"))
            #expect(!suite.configs.isEmpty)
        }
    }
}
