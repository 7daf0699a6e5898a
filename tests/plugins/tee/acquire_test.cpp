// Evidence acquisition from byte fixtures: configfs-tsm in a temp dir standing in for
// /sys/kernel/config/tsm/report, the /dev/sev-guest ioctl through a fake, QGS message framing,
// and the error when no guest interface exists.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "tee_snp/cert_table.hpp"
#include "tee_snp/device.hpp"
#include "tee_tdx/qgs.hpp"
#include "tee_test_util.hpp"
#include "veil/tee_common/configfs_tsm.hpp"
#include "veil/tee_common/x509_chain.hpp"

using namespace veil::test;
namespace snp = veil::tee::snp;
namespace tdx = veil::tee::tdx;

namespace {

constexpr const char* kEntry = "kernel/config/tsm/report/veil-test";

Bytes milan_table() {
    auto chain = veil::tee::x509_chain_from_pem(read_testdata_text("tee/snp/ask_ark_milan.pem"), "test");
    return snp::build_cert_table({{snp::kGuidVcek, read_testdata("tee/snp/vcek.der")},
                                  {snp::kGuidAsk, veil::tee::x509_to_der(chain[0].get())},
                                  {snp::kGuidArk, veil::tee::x509_to_der(chain[1].get())}});
}

std::string config_for(const TempDir& d) {
    return R"({"sys_root":")" + (d.path() / "sys").string() + R"(","dev_root":")" + (d.path() / "dev").string() +
           R"(","tsm_report_name":"veil-test"})";
}

std::array<uint8_t, 64> snp_report_data() {
    std::array<uint8_t, 64> rd{};
    for (uint8_t i = 0; i < 5; ++i) rd[i] = static_cast<uint8_t>(i + 1);
    return rd;
}

TEST(ConfigfsTsm, SnpReportAndCertsEndToEnd) {
    TempDir d;
    Bytes report = read_testdata("tee/snp/attestation.bin");
    Bytes table = milan_table();
    Bytes padded = table;
    padded.resize(16384, 0);  // the kernel hands out whole pages
    d.write(std::string("sys/") + kEntry + "/provider", "sev_guest\n");
    d.write(std::string("sys/") + kEntry + "/generation", "1\n");
    d.write(std::string("sys/") + kEntry + "/outblob", report);
    d.write(std::string("sys/") + kEntry + "/auxblob", padded);

    TeePlugin p(TEE_SNP_PLUGIN, config_for(d));
    auto rd = snp_report_data();
    Bytes ev;
    std::string format;
    auto r = p.get_evidence(rd.data(), ev, format);
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(format, "sev-snp-report+certs/v1");
    // Request: exactly the 64 report_data bytes in inblob.
    EXPECT_EQ(d.read(std::string("sys/") + kEntry + "/inblob"), Bytes(rd.begin(), rd.end()));
    // Response: report followed by the trimmed table.
    ASSERT_EQ(ev.size(), report.size() + table.size());
    EXPECT_TRUE(std::equal(report.begin(), report.end(), ev.begin()));
    auto v = p.verify(ev, format, rd.data(), R"({"allow_debug":true,"at":"2025-06-01T00:00:00Z"})");
    EXPECT_TRUE(v.ok()) << v.message;
}

TEST(ConfigfsTsm, TdxQuoteEndToEnd) {
    TempDir d;
    Bytes quote = read_testdata("tee/tdx/quote_v4_gce_cos113.bin");
    d.write(std::string("sys/") + kEntry + "/provider", "tdx_guest\n");
    d.write(std::string("sys/") + kEntry + "/generation", "7\n");
    d.write(std::string("sys/") + kEntry + "/outblob", quote);
    TeePlugin p(TEE_TDX_PLUGIN, config_for(d));
    uint8_t rd[64];
    for (int i = 0; i < 64; ++i) rd[i] = static_cast<uint8_t>(i);
    Bytes ev;
    std::string format;
    auto r = p.get_evidence(rd, ev, format);
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(format, "tdx-quote");
    EXPECT_EQ(ev, quote);
    EXPECT_EQ(d.read(std::string("sys/") + kEntry + "/inblob"), Bytes(rd, rd + 64));
    auto v = p.verify(ev, format, nullptr, R"({"allow_debug":true,"at":"2025-06-01T00:00:00Z"})");
    EXPECT_TRUE(v.ok()) << v.message;
}

TEST(ConfigfsTsm, WrongProviderNamed) {
    TempDir d;
    d.write(std::string("sys/") + kEntry + "/provider", "tdx_guest\n");
    d.write(std::string("sys/") + kEntry + "/generation", "1\n");
    d.write(std::string("sys/") + kEntry + "/outblob", Bytes(1184, 0));
    TeePlugin p(TEE_SNP_PLUGIN, config_for(d));
    uint8_t rd[64] = {};
    Bytes ev;
    std::string format;
    auto r = p.get_evidence(rd, ev, format);
    EXPECT_EQ(r.code, VEIL_ERR_UNSUPPORTED);
    EXPECT_EQ(r.message, "configfs-tsm provider is 'tdx_guest', expected 'sev_guest'");
}

TEST(ConfigfsTsm, TdxRefusesNonQuoteOutblob) {
    TempDir d;
    d.write(std::string("sys/") + kEntry + "/provider", "tdx_guest\n");
    d.write(std::string("sys/") + kEntry + "/generation", "1\n");
    d.write(std::string("sys/") + kEntry + "/outblob", Bytes(1024, 0x11));  // a TDREPORT-sized blob
    TeePlugin p(TEE_TDX_PLUGIN, config_for(d));
    uint8_t rd[64] = {};
    Bytes ev;
    std::string format;
    auto r = p.get_evidence(rd, ev, format);
    EXPECT_EQ(r.code, VEIL_ERR_IO);
    EXPECT_NE(r.message.find("did not return a TDX quote"), std::string::npos) << r.message;
}

TEST(ConfigfsTsm, FreshEntryIsCreatedAndRemoved) {
    TempDir d;
    std::filesystem::create_directories(d.path() / "sys/kernel/config/tsm/report");
    uint8_t rd[64] = {};
    // In a plain directory the new entry has no provider file: the error names the read and the
    // entry is removed again.
    EXPECT_THROW(veil::tee::tsm_get_report((d.path() / "sys").string(), "", "sev_guest", rd, std::nullopt),
                 veil::sdk::Error);
    EXPECT_TRUE(std::filesystem::is_empty(d.path() / "sys/kernel/config/tsm/report"));
}

TEST(Absent, NoDeviceGivesTheClearError) {
    TempDir d;
    for (auto [path, msg] : {std::pair{TEE_SNP_PLUGIN, "no SEV-SNP guest device or configfs-tsm provider found"},
                             std::pair{TEE_TDX_PLUGIN, "no TDX guest device or configfs-tsm provider found"}}) {
        std::string reason;
        EXPECT_EQ(TeePlugin::probe(path, config_for(d), reason), 0u);
        EXPECT_EQ(reason, msg);
        TeePlugin p(path, config_for(d));
        uint8_t rd[64] = {};
        Bytes ev;
        std::string format;
        auto r = p.get_evidence(rd, ev, format);
        EXPECT_EQ(r.code, VEIL_ERR_NOT_FOUND);
        EXPECT_EQ(r.message, msg);
    }
}

TEST(Absent, ProbeSucceedsWhenConfigfsExists) {
    TempDir d;
    std::filesystem::create_directories(d.path() / "sys/kernel/config/tsm/report");
    std::string reason;
    EXPECT_EQ(TeePlugin::probe(TEE_SNP_PLUGIN, config_for(d), reason), 100u) << reason;
}

// A fake /dev/sev-guest: the first extended request says the certificate buffer is too small,
// the second fills it; every request is checked field by field.
class FakeSevGuest : public snp::SevGuestIo {
public:
    Bytes report = read_testdata("tee/snp/attestation.bin");
    Bytes table = milan_table();
    std::vector<uint32_t> certs_lens;
    uint32_t needed = 5 * 4096;
    bool ext_supported = true;
    bool greedy = false;  // asks for more every time
    int calls = 0;

    int ioctl(unsigned long request, void* arg) override {
        ++calls;
        auto* req = static_cast<snp::SnpGuestRequest*>(arg);
        EXPECT_EQ(req->msg_version, 1);
        auto rd = snp_report_data();
        auto* resp = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(req->resp_data));
        if (request == snp::kSnpGetExtReport) {
            if (!ext_supported) return -ENOTTY;
            auto* ext = reinterpret_cast<snp::SnpExtReportReq*>(static_cast<uintptr_t>(req->req_data));
            EXPECT_EQ(0, std::memcmp(ext->data.user_data, rd.data(), 64));
            EXPECT_EQ(ext->data.vmpl, 0u);
            EXPECT_EQ(ext->certs_len % 4096, 0u);
            certs_lens.push_back(ext->certs_len);
            if (ext->certs_len < needed) {
                ext->certs_len = needed;
                if (greedy) needed += 4096;
                req->exitinfo2 = uint64_t{snp::kVmmErrInvalidLen} << 32;
                return -EIO;
            }
            std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(ext->certs_address)), table.data(), table.size());
        } else {
            EXPECT_EQ(request, snp::kSnpGetReport);
            auto* plain = reinterpret_cast<snp::SnpReportReq*>(static_cast<uintptr_t>(req->req_data));
            EXPECT_EQ(0, std::memcmp(plain->user_data, rd.data(), 64));
        }
        std::memset(resp, 0, snp::kResponseSize);
        resp[4] = 0xA0;  // report_size = 0x4A0 (little-endian)
        resp[5] = 0x04;
        std::memcpy(resp + snp::kReportInResponse, report.data(), report.size());
        return 0;
    }
};

TEST(SevGuestDevice, ExtendedReportRetriesWithKernelLength) {
    FakeSevGuest dev;
    auto rd = snp_report_data();
    auto out = snp::device_get_report(dev, rd, 0);
    EXPECT_EQ(out.report, dev.report);
    EXPECT_EQ(out.certs, dev.table);
    ASSERT_EQ(dev.certs_lens.size(), 2u);
    EXPECT_EQ(dev.certs_lens[0], 4u * 4096);
    EXPECT_EQ(dev.certs_lens[1], dev.needed);
}

TEST(SevGuestDevice, EndlessTooSmallAnswersStop) {
    FakeSevGuest dev;
    dev.greedy = true;
    auto rd = snp_report_data();
    EXPECT_THROW(snp::device_get_report(dev, rd, 0), veil::sdk::Error);
    EXPECT_EQ(dev.calls, 3);
}

TEST(SevGuestDevice, FallsBackToPlainReport) {
    FakeSevGuest dev;
    dev.ext_supported = false;
    auto rd = snp_report_data();
    auto out = snp::device_get_report(dev, rd, 0);
    EXPECT_EQ(out.report, dev.report);
    EXPECT_TRUE(out.certs.empty());
    EXPECT_EQ(dev.calls, 2);
}

TEST(SevGuestDevice, FirmwareErrorsNamed) {
    Bytes resp(snp::kResponseSize, 0);
    resp[0] = 0x16;  // firmware status
    try {
        snp::parse_report_response(resp);
        FAIL();
    } catch (const veil::sdk::Error& e) {
        EXPECT_NE(std::string(e.what()).find("status 22"), std::string::npos) << e.what();
    }
    resp[0] = 0;
    resp[4] = 0x10;
    EXPECT_THROW(snp::parse_report_response(resp), veil::sdk::Error);
}

TEST(Qgs, RequestFraming) {
    Bytes tdreport(1024);
    for (size_t i = 0; i < tdreport.size(); ++i) tdreport[i] = static_cast<uint8_t>(i * 7);
    Bytes m = tdx::build_qgs_get_quote_request(tdreport);
    ASSERT_EQ(m.size(), 4u + 16 + 8 + 1024);
    uint32_t n = static_cast<uint32_t>(m[0]) << 24 | m[1] << 16 | m[2] << 8 | m[3];  // big-endian prefix
    EXPECT_EQ(n, 16u + 8 + 1024);
    EXPECT_EQ(veil::tee::le16(m, 4), 1);       // major
    EXPECT_EQ(veil::tee::le16(m, 6), 0);       // minor
    EXPECT_EQ(veil::tee::le32(m, 8), 0u);      // GET_QUOTE_REQ
    EXPECT_EQ(veil::tee::le32(m, 12), n);      // size of the whole message
    EXPECT_EQ(veil::tee::le32(m, 16), 0u);     // error_code
    EXPECT_EQ(veil::tee::le32(m, 20), 1024u);  // report_size
    EXPECT_EQ(veil::tee::le32(m, 24), 0u);     // id_list_size
    EXPECT_TRUE(std::equal(tdreport.begin(), tdreport.end(), m.begin() + 28));
}

TEST(Qgs, ResponseParsing) {
    Bytes quote = read_testdata("tee/tdx/quote_v5_sample.bin");
    Bytes id = {1, 2, 3, 4};
    Bytes m;
    veil::tee::append_le16(m, 1);
    veil::tee::append_le16(m, 0);
    veil::tee::append_le32(m, 1);
    veil::tee::append_le32(m, static_cast<uint32_t>(24 + id.size() + quote.size()));
    veil::tee::append_le32(m, 0);
    veil::tee::append_le32(m, static_cast<uint32_t>(id.size()));
    veil::tee::append_le32(m, static_cast<uint32_t>(quote.size()));
    m.insert(m.end(), id.begin(), id.end());
    m.insert(m.end(), quote.begin(), quote.end());
    EXPECT_EQ(tdx::parse_qgs_get_quote_response(m), quote);
    Bytes err = m;
    veil::tee::put_le32(err, 12, 0x12001);
    EXPECT_THROW(tdx::parse_qgs_get_quote_response(err), veil::sdk::Error);
    Bytes cut(m.begin(), m.end() - 1);
    EXPECT_THROW(tdx::parse_qgs_get_quote_response(cut), veil::sdk::Error);
}

}  // namespace
