#include "platform/cpuinfo.hpp"

#include <string>

#include "platform/arm_parts.hpp"
#include "support/catch.hpp"

using conc_probe::platform::arm_implementer_name;
using conc_probe::platform::arm_part_name;
using conc_probe::platform::Cpuinfo;
using conc_probe::platform::CpuinfoArch;
using conc_probe::platform::describe_cpu;
using conc_probe::platform::x86_isa_level;

namespace {

const char* const kX86 =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 23\nmodel\t\t: 1\n"
    "model name\t: AMD EPYC 7451 24-Core Processor\nstepping\t: 2\nflags\t\t: fpu lm\n\n"
    "processor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7451 24-Core Processor\n\n";

}  // namespace

TEST_CASE("cpuinfo: x86 blocks per processor", "[cpuinfo]") {
  const Cpuinfo info = Cpuinfo::parse(kX86);
  CHECK(info.arch() == CpuinfoArch::X86);
  CHECK(info.cpus() == std::vector<unsigned>{0, 1});
  CHECK(info.get(0, "model name") == "AMD EPYC 7451 24-Core Processor");
  CHECK(info.get(0, "cpu family") == "23");
  CHECK_FALSE(info.get(1, "cpu family").has_value());  // not borrowed from CPU 0
  const auto d = describe_cpu(info, 0);
  CHECK(d.vendor == "AuthenticAMD");
  CHECK(d.family == "23");
  CHECK(d.stepping == "2");
}

TEST_CASE("cpuinfo: truncated in the middle of a line", "[cpuinfo]") {
  const std::string text(kX86);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    const Cpuinfo info = Cpuinfo::parse(std::string_view(text).substr(0, cut));
    const auto d = describe_cpu(info, 0);
    if (cut < 20) CHECK_FALSE(d.model_name.has_value());
  }
  const Cpuinfo half = Cpuinfo::parse(text.substr(0, text.find("AMD EPYC") + 4));
  CHECK(half.get(0, "model name") == "AMD");
}

TEST_CASE("cpuinfo: empty, garbage and binary input give unknowns", "[cpuinfo]") {
  const std::string binary("\x00\xff:\x01\n\x7f:::\n\x00processor:\xfe\n", 22);
  for (const std::string& text :
       {std::string(), std::string("\n\n\n"), std::string("no colon here\nat all"),
        std::string(":::::\n: value\nkey:"), binary, std::string(100000, ':'),
        std::string("processor : 99999999999999999999\nmodel name : X\n"),
        std::string("processor : -1\nprocessor 7: version = FF,, = ,identification\n")}) {
    const Cpuinfo info = Cpuinfo::parse(text);
    const auto d = describe_cpu(info, 0);
    CHECK_FALSE(d.midr_part.has_value());
    CHECK_FALSE(x86_isa_level(info.first("flags").value_or("")).has_value());
  }
  CHECK(Cpuinfo::parse("").empty());
  CHECK(Cpuinfo::parse("processor : 99999999999999999999\n").cpus().empty());
}

TEST_CASE("cpuinfo: overlong fields are cut", "[cpuinfo]") {
  const Cpuinfo info = Cpuinfo::parse("model name : " + std::string(100000, 'x') + "\n");
  REQUIRE(info.first("model name").has_value());
  CHECK(info.first("model name")->size() == Cpuinfo::kMaxField);
}

TEST_CASE("cpuinfo: ARM MIDR names, with global fields of old kernels", "[cpuinfo]") {
  const Cpuinfo info = Cpuinfo::parse(
      "Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\nBogoMIPS\t: 1\n\nprocessor\t: "
      "1\n\n"
      "CPU implementer\t: 0x41\nCPU variant\t: 0x0\nCPU part\t: 0xc0f\nCPU revision\t: 4\n");
  CHECK(info.arch() == CpuinfoArch::Arm);
  const auto d = describe_cpu(info, 1);
  CHECK(d.model_name == "Cortex-A15");
  CHECK(d.vendor == "ARM");
  CHECK(d.midr_part == "0xc0f");
  CHECK(d.stepping == "r0p4");
}

TEST_CASE("cpuinfo: unknown ARM part keeps raw ids and the kernel's text", "[cpuinfo]") {
  const Cpuinfo info = Cpuinfo::parse(
      "processor : 0\nmodel name : ARMv8 Processor rev 0 (v8l)\nCPU implementer : 0x99\n"
      "CPU part : 0x123\n");
  const auto d = describe_cpu(info, 0);
  CHECK(d.model_name == "ARMv8 Processor rev 0 (v8l)");
  CHECK(d.vendor == "0x99");
  CHECK(d.midr_implementer == "0x99");
  CHECK(d.midr_part == "0x123");
}

TEST_CASE("cpuinfo: MIDR tables", "[cpuinfo]") {
  CHECK(arm_implementer_name(0x41) == "ARM");
  CHECK(arm_implementer_name(0x61) == "Apple");
  CHECK(arm_implementer_name(0xc0) == "Ampere");
  CHECK_FALSE(arm_implementer_name(0x01).has_value());
  CHECK(arm_part_name(0x41, 0xd0c) == "Neoverse-N1");
  CHECK(arm_part_name(0x41, 0xd4e) == "Cortex-X3");
  CHECK(arm_part_name(0x61, 0x023) == "Firestorm-M1");
  CHECK_FALSE(arm_part_name(0x61, 0xd0c).has_value());  // part numbers are per implementer
}

TEST_CASE("cpuinfo: s390 processor lines and machine names", "[cpuinfo]") {
  const Cpuinfo info = Cpuinfo::parse(
      "vendor_id       : IBM/S390\n# processors    : 2\n"
      "processor 1: version = 00,  identification = 279F25,  machine = 2817\n"
      "processor 3: version = 00,  identification = 279F25,  machine = 9999\n");
  CHECK(info.arch() == CpuinfoArch::S390);
  CHECK(info.cpus() == std::vector<unsigned>{1, 3});
  CHECK(describe_cpu(info, 1).model_name == "IBM z196 (2817)");
  CHECK(describe_cpu(info, 3).model_name == "IBM 9999");
  CHECK(describe_cpu(info, 1).vendor == "IBM/S390");
}

TEST_CASE("cpuinfo: other architectures", "[cpuinfo]") {
  const auto power =
      Cpuinfo::parse("processor : 0\ncpu : POWER9, altivec supported\nrevision : 2.2\n");
  CHECK(power.arch() == CpuinfoArch::PowerPc);
  CHECK(describe_cpu(power, 0).model_name == "POWER9, altivec supported");
  const auto riscv =
      Cpuinfo::parse("processor : 0\nhart : 0\nisa : rv64gc\nuarch : sifive,u74-mc\n");
  CHECK(riscv.arch() == CpuinfoArch::RiscV);
  CHECK(describe_cpu(riscv, 0).model_name == "sifive,u74-mc");
  const auto loong =
      Cpuinfo::parse("processor : 0\nCPU Family : Loongson-64bit\nModel Name : 3A6000\n");
  CHECK(loong.arch() == CpuinfoArch::LoongArch);
  CHECK(describe_cpu(loong, 0).model_name == "3A6000");
  const auto sparc = Cpuinfo::parse("cpu : TI UltraSparc II\nncpus probed : 2\n");
  CHECK(sparc.arch() == CpuinfoArch::Sparc);
  CHECK(describe_cpu(sparc, 6).model_name == "TI UltraSparc II");
}

TEST_CASE("cpuinfo: x86-64 ISA levels", "[cpuinfo]") {
  const std::string v1 = "fpu cx8 syscall cmov mmx fxsr sse sse2 lm";
  const std::string v2 = v1 + " cx16 lahf_lm popcnt pni sse4_1 sse4_2 ssse3";
  const std::string v3 = v2 + " avx avx2 bmi1 bmi2 f16c fma abm movbe xsave";
  const std::string v4 = v3 + " avx512f avx512bw avx512cd avx512dq avx512vl";
  CHECK(x86_isa_level(v1) == "x86-64-v1");
  CHECK(x86_isa_level(v2) == "x86-64-v2");
  CHECK(x86_isa_level(v3) == "x86-64-v3");
  CHECK(x86_isa_level(v4) == "x86-64-v4");
  CHECK_FALSE(x86_isa_level("fpu cx8 cmov mmx sse sse2").has_value());  // 32-bit only
  CHECK(x86_isa_level(v4 + " avx512fxx") == "x86-64-v4");
  CHECK(x86_isa_level("lmx cmov cx8 fpu fxsr mmx syscall sse sse2") == std::nullopt);
}
