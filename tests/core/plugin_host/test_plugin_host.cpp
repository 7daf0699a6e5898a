// The host's plugin loader against deliberately right and wrong fixture plugins.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "plugin_host/plugin_host.h"
#include "util/sha256.h"

namespace veil {
namespace {

PluginSpec spec(const std::string& name, const std::string& path) {
    PluginSpec s;
    s.name = name;
    s.path = path;
    s.display_path = std::filesystem::path(path).filename().string();
    return s;
}

TEST(PluginHost, LoadsAGoodPlugin) {
    PluginHost host;
    Plugin& p = host.load(spec("fixture_good", VEIL_FIXTURE_GOOD));
    ASSERT_EQ(p.status, PluginStatus::Ready) << p.message();
    EXPECT_EQ(p.kind, static_cast<uint32_t>(VEIL_KIND_BACKEND));
    EXPECT_EQ(p.version, "0.0.1");
    EXPECT_EQ(p.abi(), "1." + std::to_string(VEIL_ABI_MINOR));
    EXPECT_EQ(p.probe_score, 7u);
    EXPECT_EQ(p.sha256, sha256_hex_of_file(VEIL_FIXTURE_GOOD));
    EXPECT_NE(p.instance, nullptr);
    EXPECT_NE(p.backend.eval, nullptr);
    EXPECT_EQ(p.backend.decode_batch, nullptr);  // optional slot the fixture leaves empty
    EXPECT_NE(p.backend.stats, nullptr);
    ASSERT_EQ(host.ready(VEIL_KIND_BACKEND).size(), 1u);
    EXPECT_TRUE(host.ready(VEIL_KIND_TEE).empty());
}

TEST(PluginHost, OlderMinorLoadsWithNewerSlotsAbsent) {
    PluginHost host;
    Plugin& p = host.load(spec("fixture_older_minor", VEIL_FIXTURE_OLDER_MINOR));
    ASSERT_EQ(p.status, PluginStatus::Ready) << p.message();
    EXPECT_NE(p.backend.session_rewind, nullptr);
    // The fixture's static vtable has a stats pointer after its declared end: it must not be read.
    EXPECT_EQ(p.backend.stats, nullptr);
    EXPECT_EQ(p.backend.decode_batch, nullptr);
}

TEST(PluginHost, NewerMinorLoadsWithUnknownTrailingFieldsIgnored) {
    PluginHost host;
    Plugin& p = host.load(spec("fixture_newer_minor", VEIL_FIXTURE_NEWER_MINOR));
    ASSERT_EQ(p.status, PluginStatus::Ready) << p.message();
    EXPECT_EQ(p.abi(), "1." + std::to_string(VEIL_ABI_MINOR + 9));
    EXPECT_EQ(p.info.struct_size, sizeof(veil_plugin_info) + 16);  // as declared by the plugin
    EXPECT_NE(p.backend.stats, nullptr);
}

TEST(PluginHost, FutureMajorIsRefusedWithTheExactMessage) {
    PluginHost host;
    PluginSpec s = spec("fixture_future_major", VEIL_FIXTURE_FUTURE_MAJOR);
    s.display_path = "plugins/libveil-fixture.so";
    Plugin& p = host.load(s);
    EXPECT_EQ(p.status, PluginStatus::Refused);
    EXPECT_EQ(p.message(),
              "plugin 'fixture_future_major' (plugins/libveil-fixture.so) was built against Veil SDK ABI 2.1; "
              "this host supports ABI 1.x — rebuild it against SDK 1.x");
    EXPECT_EQ(p.instance, nullptr);
}

struct RefusalCase {
    const char* name;
    const char* path;
    const char* expected_reason_part;
};

class PluginHostRefuses : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(PluginHostRefuses, WithAReasonNamingThePlugin) {
    const RefusalCase& c = GetParam();
    PluginHost host;
    Plugin& p = host.load(spec(c.name, c.path));
    EXPECT_EQ(p.status, PluginStatus::Refused);
    EXPECT_NE(p.reason.find(c.expected_reason_part), std::string::npos) << p.message();
    EXPECT_EQ(p.message().rfind("plugin '" + std::string(c.name) + "' (", 0), 0u) << p.message();
    EXPECT_EQ(p.instance, nullptr);
    EXPECT_TRUE(host.ready(VEIL_KIND_BACKEND).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, PluginHostRefuses,
    ::testing::Values(
        RefusalCase{"fixture_bad_magic", VEIL_FIXTURE_BAD_MAGIC, "has bad magic 0x123456789abcdef"},
        RefusalCase{"fixture_missing_query", VEIL_FIXTURE_MISSING_QUERY, "does not export veil_plugin_query()"},
        RefusalCase{"fixture_unresolved_symbol", VEIL_FIXTURE_UNRESOLVED_SYMBOL,
                    "veil_fixture_symbol_that_does_not_exist"},
        RefusalCase{"fixture_truncated_info", VEIL_FIXTURE_TRUNCATED_INFO,
                    "has a plugin info struct_size of 16 is smaller"},
        RefusalCase{"fixture_create_throws", VEIL_FIXTURE_CREATE_THROWS,
                    "threw from create: fixture create exploded"},
        RefusalCase{"fixture_missing_slot", VEIL_FIXTURE_MISSING_SLOT, "required backend vtable slot 'eval'"},
        RefusalCase{"fixture_good_but_renamed", VEIL_FIXTURE_GOOD, "is plugin 'fixture_good', not"},
        RefusalCase{"fixture_nowhere", "/nonexistent/libveil-nowhere.so", "cannot be opened: No such file"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PluginHost, ProbeZeroIsNotSelectedAndSaysWhy) {
    PluginHost host;
    Plugin& p = host.load(spec("fixture_probe_zero", VEIL_FIXTURE_PROBE_ZERO));
    EXPECT_EQ(p.status, PluginStatus::Unusable);
    EXPECT_EQ(p.probe_score, 0u);
    EXPECT_EQ(p.reason, "fixture hardware is absent");
    EXPECT_EQ(p.instance, nullptr);
    EXPECT_TRUE(host.ready(VEIL_KIND_BACKEND).empty());
}

TEST(PluginHost, ProbeRejectingItsConfigurationIsARefusalNotUnusableHere) {
    PluginHost host;
    Plugin& p = host.load(spec("fixture_bad_config", VEIL_FIXTURE_BAD_CONFIG));
    EXPECT_EQ(p.status, PluginStatus::Refused);
    EXPECT_EQ(p.reason, "rejects its configuration: config 'mode' must be a string");
    EXPECT_EQ(p.instance, nullptr);
}

TEST(PluginHost, HostLivesOnAfterARefusalAndLoadsTheNext) {
    PluginHost host;
    host.load(spec("fixture_create_throws", VEIL_FIXTURE_CREATE_THROWS));
    host.load(spec("fixture_good", VEIL_FIXTURE_GOOD));
    ASSERT_EQ(host.plugins().size(), 2u);
    EXPECT_EQ(host.ready(VEIL_KIND_BACKEND).size(), 1u);
    EXPECT_EQ(host.find("fixture_good")->status, PluginStatus::Ready);
}

TEST(PluginHost, Sha256PinMismatchIsRefusedBeforeDlopen) {
    auto mark = std::filesystem::temp_directory_path() / ("veil-fixture-mark-" + std::to_string(::getpid()));
    std::filesystem::remove(mark);
    ::setenv("VEIL_FIXTURE_MARK", mark.c_str(), 1);

    PluginHost host;
    PluginSpec s = spec("fixture_mark_dlopen", VEIL_FIXTURE_MARK_DLOPEN);
    s.sha256 = std::string(64, '0');
    Plugin& p = host.load(s);
    EXPECT_EQ(p.status, PluginStatus::Refused);
    EXPECT_NE(p.reason.find("does not match its sha256 pin"), std::string::npos) << p.message();
    EXPECT_NE(p.reason.find(sha256_hex_of_file(VEIL_FIXTURE_MARK_DLOPEN)), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(mark)) << "the library was mapped despite the pin mismatch";

    // The same file with the right pin loads (and so its constructor runs): the check above can fail.
    PluginSpec ok = s;
    ok.sha256 = sha256_hex_of_file(VEIL_FIXTURE_MARK_DLOPEN);
    EXPECT_EQ(host.load(ok).status, PluginStatus::Ready);
    EXPECT_TRUE(std::filesystem::exists(mark));
    std::filesystem::remove(mark);
    ::unsetenv("VEIL_FIXTURE_MARK");
}

}  // namespace
}  // namespace veil

namespace veil {
namespace {

TEST(HostApi, AllocatesWithAnyPowerOfTwoAlignmentAndRefusesOthers) {
    HostApi host("test");
    const veil_host_api* api = host.api();
    for (size_t align : {size_t(0), size_t(1), size_t(2), size_t(8), size_t(64), size_t(4096)}) {
        void* p = api->alloc(api->host_ctx, 5, align);
        ASSERT_NE(p, nullptr) << "alignment " << align;
        if (align > 1) {
            EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
        }
        api->free(api->host_ctx, p);
    }
    EXPECT_EQ(api->alloc(api->host_ctx, 5, 3), nullptr);
}

}  // namespace
}  // namespace veil
