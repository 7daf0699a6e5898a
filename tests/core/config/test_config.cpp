// Configuration loading: every class of error names file:line:col and the key path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config/schema.h"

namespace veil {
namespace {

class ConfigTest : public ::testing::Test {
protected:
    std::filesystem::path dir;
    void SetUp() override {
        dir = std::filesystem::temp_directory_path() /
              ("veil-config-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::string write(const std::string& text) {
        auto p = (dir / "veil.yaml").string();
        std::ofstream(p) << text;
        return p;
    }
    // The error message load_config throws for `text` (fails the test if it loads).
    std::string error_for(const std::string& text) {
        std::string path = write(text);
        try {
            load_config(path, "/plugins");
        } catch (const ConfigError& e) {
            return e.what();
        }
        ADD_FAILURE() << "config loaded but should not have:\n" << text;
        return "";
    }
};

const char* kMinimal =
    "plugins:\n"
    "  - name: backend_full\n"
    "    path: libveil-backend-full.so\n";

TEST_F(ConfigTest, LoadsAMinimalFileWithDefaults) {
    Config c = load_config(write(kMinimal), "/opt/veil/plugins");
    ASSERT_EQ(c.plugins.size(), 1u);
    EXPECT_EQ(c.plugins[0].name, "backend_full");
    EXPECT_EQ(c.plugins[0].path, "/opt/veil/plugins/libveil-backend-full.so");
    EXPECT_EQ(c.plugins[0].config_json, "{}");
    EXPECT_EQ(c.tee, "auto");
    EXPECT_DOUBLE_EQ(c.policy.stream_threshold, 0.75);
    EXPECT_EQ(c.server.listen, "tcp://127.0.0.1:8080");
    EXPECT_EQ(c.sha256.size(), 64u);
}

TEST_F(ConfigTest, PluginConfigBecomesTypedJson) {
    Config c = load_config(write(std::string(kMinimal) +
                                 "    config:\n"
                                 "      threads: 2\n"
                                 "      mlock: false\n"
                                 "      ratio: 0.5\n"
                                 "      label: \"42\"\n"
                                 "      list: [a, 1]\n"),
                           "/p");
    EXPECT_EQ(c.plugins[0].config_json, R"({"threads":2,"mlock":false,"ratio":0.5,"label":"42","list":["a",1]})");
}

TEST_F(ConfigTest, ModelPathsResolveAgainstTheConfigFolder) {
    Config c = load_config(write(std::string(kMinimal) +
                                 "models:\n"
                                 "  - id: m\n"
                                 "    path: ../models/m.gguf\n"
                                 "    sha256: sha256:" + std::string(64, 'A') + "\n"),
                           "/p");
    ASSERT_EQ(c.models.size(), 1u);
    EXPECT_EQ(c.models[0].path, (dir.parent_path() / "models/m.gguf").string());
    EXPECT_EQ(*c.models[0].sha256, std::string(64, 'a'));
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineColumnAndPath) {
    std::string e = error_for(std::string(kMinimal) + "server:\n  listen: tcp://0.0.0.0:1\n  lisen: x\n");
    EXPECT_NE(e.find("veil.yaml:6:3: server.lisen: unknown key"), std::string::npos) << e;
}

TEST_F(ConfigTest, UnknownTopLevelSection) {
    std::string e = error_for(std::string(kMinimal) + "sever:\n  listen: x\n");
    EXPECT_NE(e.find("veil.yaml:4:1: sever: unknown key"), std::string::npos) << e;
}

TEST_F(ConfigTest, WrongTypeNamesFileLineColumnAndPath) {
    std::string e = error_for(std::string(kMinimal) + "server:\n  parallel: many\n");
    EXPECT_NE(e.find("veil.yaml:5:13: server.parallel: expected a non-negative integer, got 'many'"), std::string::npos)
        << e;
}

TEST_F(ConfigTest, WrongTypeInsideAList) {
    std::string e = error_for("plugins:\n  - name: [a, b]\n    path: x.so\n");
    EXPECT_NE(e.find("veil.yaml:2:11: plugins[0].name: expected a string"), std::string::npos) << e;
}

TEST_F(ConfigTest, MissingRequiredKeyNamesTheMapping) {
    std::string e = error_for("plugins:\n  - name: backend_full\n");
    EXPECT_NE(e.find("veil.yaml:2:5: plugins[0]: missing required key 'path'"), std::string::npos) << e;
}

TEST_F(ConfigTest, MissingRequiredSection) {
    std::string e = error_for("server:\n  parallel: 1\n");
    EXPECT_NE(e.find("veil.yaml:1:1: missing required key 'plugins'"), std::string::npos) << e;
}

TEST_F(ConfigTest, BadYamlNamesFileLineColumn) {
    std::string e = error_for("plugins:\n  - name: [unclosed\n    path: x\n");
    EXPECT_NE(e.find("veil.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(e[e.find("veil.yaml:") + 10]))) << e;
}

TEST_F(ConfigTest, ValueOutsideItsChoices) {
    std::string e = error_for(std::string(kMinimal) + "logging:\n  format: xml\n");
    EXPECT_NE(e.find("veil.yaml:5:11: logging.format: 'xml' is not one of: text, json"), std::string::npos) << e;
}

TEST_F(ConfigTest, BadShaPin) {
    std::string e = error_for("plugins:\n  - name: a\n    path: a.so\n    sha256: abc\n");
    EXPECT_NE(e.find("veil.yaml:4:13: plugins[0].sha256: expected 64 hexadecimal digits"), std::string::npos) << e;
}

TEST_F(ConfigTest, DuplicatePluginName) {
    std::string e = error_for(std::string(kMinimal) + "  - name: backend_full\n    path: other.so\n");
    EXPECT_NE(e.find("plugins[1].name: plugin 'backend_full' is listed twice"), std::string::npos) << e;
}

TEST_F(ConfigTest, TeeMustNameAConfiguredPlugin) {
    std::string e = error_for(std::string(kMinimal) + "tee: tee_sgx\n");
    EXPECT_NE(e.find("veil.yaml:4:6: tee: 'tee_sgx' is not a configured plugin"), std::string::npos) << e;
}

TEST_F(ConfigTest, MissingFile) {
    try {
        load_config((dir / "absent.yaml").string(), "/p");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("absent.yaml: cannot open"), std::string::npos);
    }
}

TEST_F(ConfigTest, EnvironmentOverridesAScalarKey) {
    ::setenv("VEIL_SERVER_LISTEN", "tcp://0.0.0.0:9999", 1);
    ::setenv("VEIL_POLICY_EPC_BYTES", "1048576", 1);
    Config c = load_config(write(std::string(kMinimal) + "server:\n  listen: tcp://127.0.0.1:1\n"), "/p");
    ::unsetenv("VEIL_SERVER_LISTEN");
    ::unsetenv("VEIL_POLICY_EPC_BYTES");
    EXPECT_EQ(c.server.listen, "tcp://0.0.0.0:9999");
    ASSERT_TRUE(c.policy.epc_bytes.has_value());
    EXPECT_EQ(*c.policy.epc_bytes, 1048576u);
}

TEST_F(ConfigTest, BadEnvironmentOverrideNamesTheVariable) {
    ::setenv("VEIL_SERVER_PARALLEL", "lots", 1);
    std::string e = error_for(kMinimal);
    ::unsetenv("VEIL_SERVER_PARALLEL");
    EXPECT_NE(e.find("environment variable VEIL_SERVER_PARALLEL: server.parallel: expected a non-negative integer"),
              std::string::npos)
        << e;
}

TEST_F(ConfigTest, MisspeltEnvironmentOverrideIsRefused) {
    ::setenv("VEIL_SERVER_LISTNE", "tcp://0.0.0.0:9999", 1);
    std::string e = error_for(kMinimal);
    ::unsetenv("VEIL_SERVER_LISTNE");
    EXPECT_NE(e.find("environment variable VEIL_SERVER_LISTNE: server has no such key (allowed: VEIL_SERVER_LISTEN, "),
              std::string::npos)
        << e;
}

TEST_F(ConfigTest, NumbersOutsideTheirRangeNameTheKey) {
    // Each used to load (or fail as "yaml-cpp: bad conversion"): a 33-bit queue, a negative or
    // endless drain, a body limit that refuses every request.
    EXPECT_NE(error_for(std::string(kMinimal) + "server:\n  queue: 99999999999\n").find("veil.yaml:5:10: server.queue: must be in 0..4096, got 99999999999"),
              std::string::npos);
    EXPECT_NE(error_for(std::string(kMinimal) + "server:\n  parallel: 0\n").find("server.parallel: must be in 1..1024, got 0"),
              std::string::npos);
    EXPECT_NE(error_for(std::string(kMinimal) + "server:\n  drain_seconds: -5\n").find("server.drain_seconds: must be 0..86400 seconds"),
              std::string::npos);
    EXPECT_NE(error_for(std::string(kMinimal) + "server:\n  max_body_bytes: 0\n").find("server.max_body_bytes: must be at least 1"),
              std::string::npos);
    EXPECT_NE(error_for(std::string(kMinimal) + "models:\n  - id: m\n    path: m.gguf\n    n_ctx: 4294967296\n")
                  .find("models[0].n_ctx: must be in 0..16777216, got 4294967296"),
              std::string::npos);
}

TEST_F(ConfigTest, ShippedExampleIsValid) {
    Config c = load_config(VEIL_SOURCE_DIR "/conf/veil.yaml", "/p");
    EXPECT_EQ(c.plugins.size(), 5u);
    EXPECT_EQ(c.models.size(), 1u);
}

}  // namespace
}  // namespace veil
