// `veil model ...` through the real binary: exit codes, messages, files produced.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "../gguf/gguf_test_util.h"
#include "cli_run.h"

namespace veil {
namespace {

using test::CliRun;
using test::parse_json;
using test::quote;

CliRun veil(const std::string& args, const std::string& env = "") { return test::run_veil("model " + args, env); }

const std::string kStories = test::testdata("models/stories260K.gguf");

TEST(ModelCli, KeygenSealVerifyUnsealInspectRoundTrip) {
    test::TempDir dir;
    const std::string key = dir.file("k"), sealed = dir.file("m.veil"), out = dir.file("m.gguf");
    CliRun r = veil("keygen --out " + quote(key));
    ASSERT_EQ(r.code, 0) << r.out;
    struct stat st{};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);

    r = veil("seal " + quote(kStories) + " " + quote(sealed) + " --key-file " + quote(key) + " --chunk-size 16K");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("chunks of 16384 bytes"), std::string::npos) << r.out;
    r = veil("verify " + quote(sealed) + " --key-file " + quote(key));
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(r.out.rfind("OK", 0), 0u) << r.out;
    r = veil("unseal " + quote(sealed) + " " + quote(out) + " --key-file " + quote(key));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(test::read_all(out) == test::read_all(kStories));

    // inspect --json of the sealed file and of the original agree, and weight_bytes adds up.
    r = veil("inspect " + quote(sealed) + " --key-file " + quote(key) + " --json");
    ASSERT_EQ(r.code, 0) << r.out;
    auto js = parse_json(r.out);
    r = veil("inspect " + quote(kStories) + " --json");
    ASSERT_EQ(r.code, 0) << r.out;
    auto jp = parse_json(r.out);
    EXPECT_EQ(js->getValue<std::string>("format"), "sealed");
    EXPECT_EQ(jp->getValue<std::string>("format"), "gguf");
    EXPECT_TRUE(js->getObject("sealed")->getValue<bool>("authenticated"));
    uint64_t sum = 0;
    auto tensors = js->getArray("tensors");
    for (size_t k = 0; k < tensors->size(); ++k) sum += tensors->getObject(static_cast<unsigned>(k))->getValue<uint64_t>("bytes");
    EXPECT_EQ(js->getValue<uint64_t>("weight_bytes"), sum);
    EXPECT_GT(sum, 1000000u);
    EXPECT_EQ(jp->getValue<uint64_t>("weight_bytes"), sum);
    EXPECT_EQ(js->getValue<uint64_t>("n_tensors"), tensors->size());
    EXPECT_EQ(js->getObject("tensors_by_type")->getValue<uint64_t>("f32"), tensors->size());
    EXPECT_EQ(js->getObject("bytes_by_type")->getValue<uint64_t>("f32"), sum);
    EXPECT_EQ(js->getObject("metadata")->getValue<uint64_t>("llama.block_count"), 5u);
    EXPECT_EQ(js->getObject("metadata")->getValue<std::string>("general.architecture"), "llama");

    // Text form summarises the vocabulary instead of printing it.
    r = veil("inspect " + quote(sealed));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("tokenizer.ggml.tokens = [array of 512 strings]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("NOT authenticated"), std::string::npos);
    EXPECT_NE(r.out.find("total weight bytes: " + std::to_string(sum)), std::string::npos);
}

TEST(ModelCli, VerifyNamesTheTamperedChunkAndExits1) {
    test::TempDir dir;
    const std::string key = dir.file("k"), sealed = dir.file("m.veil");
    ASSERT_EQ(veil("keygen --hex --out " + quote(key)).code, 0);
    EXPECT_EQ(test::read_all(key).size(), 65u);
    ASSERT_EQ(veil("seal " + quote(kStories) + " " + quote(sealed) + " --key-file " + quote(key) + " --chunk-size 4096").code, 0);
    auto bytes = test::read_all(sealed);
    bytes[bytes.size() - 5000] ^= 1;
    dir.write("m.veil", bytes);
    CliRun r = veil("verify " + quote(sealed) + " --key-file " + quote(key));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("FAILED: chunk "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("failed authentication (tampered, swapped or wrong key)"), std::string::npos) << r.out;
    r = veil("unseal " + quote(sealed) + " " + quote(dir.file("o.gguf")) + " --key-file " + quote(key));
    EXPECT_EQ(r.code, 1);
    EXPECT_FALSE(std::filesystem::exists(dir.file("o.gguf")));
}

TEST(ModelCli, KeyFromEnvironmentAndWrongKey) {
    test::TempDir dir;
    const std::string key = dir.file("k"), other = dir.file("k2"), sealed = dir.file("m.veil");
    ASSERT_EQ(veil("keygen --hex --out " + quote(key)).code, 0);
    ASSERT_EQ(veil("keygen --out " + quote(other)).code, 0);
    ASSERT_EQ(veil("seal " + quote(kStories) + " " + quote(sealed) + " --key-file " + quote(key)).code, 0);
    auto hex = test::read_all(key);
    std::string env = "VEIL_MODEL_KEY=" + std::string(hex.begin(), hex.begin() + 64);
    CliRun r = veil("verify " + quote(sealed) + " --key-env VEIL_MODEL_KEY", env);
    EXPECT_EQ(r.code, 0) << r.out;
    r = veil("verify " + quote(sealed) + " --key-file " + quote(other));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("wrong key"), std::string::npos) << r.out;
}

TEST(ModelCli, RefusesToOverwrite) {
    test::TempDir dir;
    const std::string key = dir.file("k"), sealed = dir.file("m.veil");
    ASSERT_EQ(veil("keygen --out " + quote(key)).code, 0);
    auto before = test::read_all(key);
    CliRun r = veil("keygen --out " + quote(key));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("already exists"), std::string::npos) << r.out;
    EXPECT_TRUE(test::read_all(key) == before);
    ASSERT_EQ(veil("seal " + quote(kStories) + " " + quote(sealed) + " --key-file " + quote(key)).code, 0);
    r = veil("seal " + quote(kStories) + " " + quote(sealed) + " --key-file " + quote(key));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
    EXPECT_EQ(veil("seal " + quote(kStories) + " " + quote(sealed) + " --key-file " + quote(key) + " --force").code, 0);
}

TEST(ModelCli, UsageErrors) {
    EXPECT_EQ(veil("").code, 2);
    EXPECT_EQ(veil("--help").code, 0);
    for (const char* sub : {"keygen", "seal", "unseal", "verify", "inspect"}) {
        CliRun r = veil(std::string(sub) + " --help");
        EXPECT_EQ(r.code, 0) << sub;
        EXPECT_NE(r.out.find(std::string("veil model ") + sub), std::string::npos) << r.out;
    }
    CliRun r = veil("frobnicate");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("unknown subcommand 'frobnicate'"), std::string::npos) << r.out;
    r = veil("verify x.veil");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("--key-file FILE or --key-env NAME"), std::string::npos) << r.out;
    r = veil("verify x.veil --key-file a --key-env B");
    EXPECT_EQ(r.code, 2);
    r = veil("seal only-one-arg --key-file k");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("expected IN.gguf OUT.veil"), std::string::npos) << r.out;
}

TEST(ModelCli, MalformedKeyFileIsRefused) {
    test::TempDir dir;
    std::string key = dir.write("bad", std::vector<uint8_t>(20, 'z'));
    CliRun r = veil("seal " + quote(kStories) + " " + quote(dir.file("m.veil")) + " --key-file " + quote(key));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("expected 32 raw bytes or 64 hex characters"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir.file("m.veil")));
}

}  // namespace
}  // namespace veil
