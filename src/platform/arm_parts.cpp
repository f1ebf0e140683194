#include "platform/arm_parts.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace conc_probe::platform {
namespace {

struct Implementer {
  std::uint64_t id;
  std::string_view name;
};

struct Part {
  std::uint64_t implementer;
  std::uint64_t part;
  std::string_view name;
};

// Implementer codes are assigned by Arm (Arm ARM, MIDR_EL1.Implementer).
constexpr std::array kImplementers{
    Implementer{0x41, "ARM"},       Implementer{0x42, "Broadcom"},
    Implementer{0x43, "Cavium"},    Implementer{0x44, "DEC"},
    Implementer{0x46, "Fujitsu"},   Implementer{0x48, "HiSilicon"},
    Implementer{0x49, "Infineon"},  Implementer{0x4d, "Motorola/Freescale"},
    Implementer{0x4e, "NVIDIA"},    Implementer{0x50, "APM"},
    Implementer{0x51, "Qualcomm"},  Implementer{0x53, "Samsung"},
    Implementer{0x56, "Marvell"},   Implementer{0x61, "Apple"},
    Implementer{0x66, "Faraday"},   Implementer{0x69, "Intel"},
    Implementer{0x6d, "Microsoft"}, Implementer{0x70, "Phytium"},
    Implementer{0xc0, "Ampere"},
};

constexpr std::array kParts{
    // Arm Ltd. (Technical Reference Manuals, MIDR reset values)
    Part{0x41, 0xb02, "ARM11 MPCore"},
    Part{0x41, 0xb36, "ARM1136"},
    Part{0x41, 0xb56, "ARM1156"},
    Part{0x41, 0xb76, "ARM1176"},
    Part{0x41, 0xc05, "Cortex-A5"},
    Part{0x41, 0xc07, "Cortex-A7"},
    Part{0x41, 0xc08, "Cortex-A8"},
    Part{0x41, 0xc09, "Cortex-A9"},
    Part{0x41, 0xc0d, "Cortex-A17"},
    Part{0x41, 0xc0e, "Cortex-A17"},
    Part{0x41, 0xc0f, "Cortex-A15"},
    Part{0x41, 0xc14, "Cortex-R4"},
    Part{0x41, 0xc15, "Cortex-R5"},
    Part{0x41, 0xc17, "Cortex-R7"},
    Part{0x41, 0xc18, "Cortex-R8"},
    Part{0x41, 0xc20, "Cortex-M0"},
    Part{0x41, 0xc21, "Cortex-M1"},
    Part{0x41, 0xc23, "Cortex-M3"},
    Part{0x41, 0xc24, "Cortex-M4"},
    Part{0x41, 0xc27, "Cortex-M7"},
    Part{0x41, 0xd01, "Cortex-A32"},
    Part{0x41, 0xd02, "Cortex-A34"},
    Part{0x41, 0xd03, "Cortex-A53"},
    Part{0x41, 0xd04, "Cortex-A35"},
    Part{0x41, 0xd05, "Cortex-A55"},
    Part{0x41, 0xd06, "Cortex-A65"},
    Part{0x41, 0xd07, "Cortex-A57"},
    Part{0x41, 0xd08, "Cortex-A72"},
    Part{0x41, 0xd09, "Cortex-A73"},
    Part{0x41, 0xd0a, "Cortex-A75"},
    Part{0x41, 0xd0b, "Cortex-A76"},
    Part{0x41, 0xd0c, "Neoverse-N1"},
    Part{0x41, 0xd0d, "Cortex-A77"},
    Part{0x41, 0xd0e, "Cortex-A76AE"},
    Part{0x41, 0xd13, "Cortex-R52"},
    Part{0x41, 0xd15, "Cortex-R82"},
    Part{0x41, 0xd20, "Cortex-M23"},
    Part{0x41, 0xd21, "Cortex-M33"},
    Part{0x41, 0xd40, "Neoverse-V1"},
    Part{0x41, 0xd41, "Cortex-A78"},
    Part{0x41, 0xd42, "Cortex-A78AE"},
    Part{0x41, 0xd43, "Cortex-A65AE"},
    Part{0x41, 0xd44, "Cortex-X1"},
    Part{0x41, 0xd46, "Cortex-A510"},
    Part{0x41, 0xd47, "Cortex-A710"},
    Part{0x41, 0xd48, "Cortex-X2"},
    Part{0x41, 0xd49, "Neoverse-N2"},
    Part{0x41, 0xd4a, "Neoverse-E1"},
    Part{0x41, 0xd4b, "Cortex-A78C"},
    Part{0x41, 0xd4c, "Cortex-X1C"},
    Part{0x41, 0xd4d, "Cortex-A715"},
    Part{0x41, 0xd4e, "Cortex-X3"},
    Part{0x41, 0xd4f, "Neoverse-V2"},
    Part{0x41, 0xd80, "Cortex-A520"},
    Part{0x41, 0xd81, "Cortex-A720"},
    Part{0x41, 0xd82, "Cortex-X4"},
    Part{0x41, 0xd84, "Neoverse-V3"},
    Part{0x41, 0xd85, "Cortex-X925"},
    Part{0x41, 0xd87, "Cortex-A725"},
    Part{0x41, 0xd8e, "Neoverse-N3"},
    // Broadcom, Cavium/Marvell
    Part{0x42, 0x00f, "Brahma-B15"},
    Part{0x42, 0x100, "Brahma-B53"},
    Part{0x42, 0x516, "ThunderX2"},
    Part{0x43, 0x0a0, "ThunderX"},
    Part{0x43, 0x0a1, "ThunderX-88XX"},
    Part{0x43, 0x0a2, "ThunderX-81XX"},
    Part{0x43, 0x0a3, "ThunderX-83XX"},
    Part{0x43, 0x0af, "ThunderX2-99xx"},
    Part{0x43, 0x0b8, "ThunderX3-T110"},
    // Fujitsu, HiSilicon
    Part{0x46, 0x001, "A64FX"},
    Part{0x48, 0xd01, "TaiShan-v110"},
    Part{0x48, 0xd02, "TaiShan-v120"},
    Part{0x48, 0xd40, "Cortex-A76"},
    Part{0x48, 0xd41, "Cortex-A77"},
    // NVIDIA
    Part{0x4e, 0x000, "Denver"},
    Part{0x4e, 0x003, "Denver 2"},
    Part{0x4e, 0x004, "Carmel"},
    // Applied Micro
    Part{0x50, 0x000, "X-Gene"},
    // Qualcomm
    Part{0x51, 0x00f, "Scorpion"},
    Part{0x51, 0x02d, "Scorpion"},
    Part{0x51, 0x04d, "Krait"},
    Part{0x51, 0x06f, "Krait"},
    Part{0x51, 0x201, "Kryo"},
    Part{0x51, 0x205, "Kryo"},
    Part{0x51, 0x211, "Kryo"},
    Part{0x51, 0x800, "Falkor-V1/Kryo"},
    Part{0x51, 0x801, "Kryo-V2"},
    Part{0x51, 0x802, "Kryo-3XX-Gold"},
    Part{0x51, 0x803, "Kryo-3XX-Silver"},
    Part{0x51, 0x804, "Kryo-4XX-Gold"},
    Part{0x51, 0x805, "Kryo-4XX-Silver"},
    Part{0x51, 0xc00, "Falkor"},
    Part{0x51, 0xc01, "Saphira"},
    Part{0x51, 0x001, "Oryon"},
    // Samsung
    Part{0x53, 0x001, "exynos-m1"},
    Part{0x53, 0x002, "exynos-m3"},
    Part{0x53, 0x003, "exynos-m4"},
    Part{0x53, 0x004, "exynos-m5"},
    // Marvell
    Part{0x56, 0x131, "Feroceon-88FR131"},
    Part{0x56, 0x581, "PJ4/PJ4b"},
    Part{0x56, 0x584, "PJ4B-MP"},
    // Apple (performance and efficiency cores of each generation)
    Part{0x61, 0x000, "Swift"},
    Part{0x61, 0x001, "Cyclone"},
    Part{0x61, 0x002, "Typhoon"},
    Part{0x61, 0x003, "Typhoon/Capri"},
    Part{0x61, 0x004, "Twister"},
    Part{0x61, 0x005, "Twister/Elba/Malta"},
    Part{0x61, 0x006, "Hurricane"},
    Part{0x61, 0x007, "Hurricane/Myst"},
    Part{0x61, 0x008, "Monsoon"},
    Part{0x61, 0x009, "Mistral"},
    Part{0x61, 0x00b, "Vortex"},
    Part{0x61, 0x00c, "Tempest"},
    Part{0x61, 0x00f, "Tempest-M9"},
    Part{0x61, 0x010, "Vortex/Aruba"},
    Part{0x61, 0x011, "Tempest/Aruba"},
    Part{0x61, 0x012, "Lightning"},
    Part{0x61, 0x013, "Thunder"},
    Part{0x61, 0x020, "Icestorm-A14"},
    Part{0x61, 0x021, "Firestorm-A14"},
    Part{0x61, 0x022, "Icestorm-M1"},
    Part{0x61, 0x023, "Firestorm-M1"},
    Part{0x61, 0x024, "Icestorm-M1-Pro"},
    Part{0x61, 0x025, "Firestorm-M1-Pro"},
    Part{0x61, 0x026, "Thunder-M10"},
    Part{0x61, 0x028, "Icestorm-M1-Max"},
    Part{0x61, 0x029, "Firestorm-M1-Max"},
    Part{0x61, 0x030, "Blizzard-A15"},
    Part{0x61, 0x031, "Avalanche-A15"},
    Part{0x61, 0x032, "Blizzard-M2"},
    Part{0x61, 0x033, "Avalanche-M2"},
    Part{0x61, 0x034, "Blizzard-M2-Pro"},
    Part{0x61, 0x035, "Avalanche-M2-Pro"},
    Part{0x61, 0x036, "Sawtooth-A16"},
    Part{0x61, 0x037, "Everest-A16"},
    Part{0x61, 0x038, "Blizzard-M2-Max"},
    Part{0x61, 0x039, "Avalanche-M2-Max"},
    // Microsoft, Phytium, Ampere
    Part{0x6d, 0xd49, "Azure-Cobalt-100"},
    Part{0x70, 0x303, "FTC310"},
    Part{0x70, 0x660, "FTC660"},
    Part{0x70, 0x661, "FTC661"},
    Part{0x70, 0x662, "FTC662"},
    Part{0x70, 0x663, "FTC663"},
    Part{0x70, 0x664, "FTC664"},
    Part{0x70, 0x862, "FTC862"},
    Part{0xc0, 0xac3, "Ampere-1"},
    Part{0xc0, 0xac4, "Ampere-1a"},
};

}  // namespace

std::optional<std::string> arm_implementer_name(std::uint64_t implementer) {
  const auto* it = std::find_if(kImplementers.begin(), kImplementers.end(),
                                [&](const Implementer& i) { return i.id == implementer; });
  if (it == kImplementers.end()) return std::nullopt;
  return std::string(it->name);
}

std::optional<std::string> arm_part_name(std::uint64_t implementer, std::uint64_t part) {
  const auto* it = std::find_if(kParts.begin(), kParts.end(), [&](const Part& p) {
    return p.implementer == implementer && p.part == part;
  });
  if (it == kParts.end()) return std::nullopt;
  return std::string(it->name);
}

}  // namespace conc_probe::platform
