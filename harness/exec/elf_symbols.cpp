#include "harness/exec/elf_symbols.hpp"

#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>

#include <fcntl.h>
#include <unistd.h>

namespace harness::exec {

namespace {

// Every symbol of the object's sections of `type` (SHT_SYMTAB, SHT_DYNSYM) that `keep` accepts.
template <class Keep>
util::Result<std::vector<std::string>> symbols(const std::string& object, unsigned type, Keep keep) {
  if (elf_version(EV_CURRENT) == EV_NONE) return util::make_error("libelf is too old");
  const int fd = ::open(object.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util::make_error(fmt::format("{}: cannot open", object));
  Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
  std::vector<std::string> names;
  std::string error;
  if (!elf || elf_kind(elf) != ELF_K_ELF) {
    error = fmt::format("{}: not an ELF object", object);
  } else {
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != type || shdr.sh_entsize == 0) continue;
      Elf_Data* data = elf_getdata(scn, nullptr);
      if (!data) continue;
      const auto count = shdr.sh_size / shdr.sh_entsize;
      for (std::size_t i = 0; i < count; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, static_cast<int>(i), &sym) || !keep(sym)) continue;
        const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
        if (name && *name) names.emplace_back(name);
      }
    }
  }
  if (elf) elf_end(elf);
  ::close(fd);
  if (!error.empty()) return util::make_error(error);
  return names;
}

}  // namespace

util::Result<std::vector<std::string>> strong_global_definitions(const std::string& object) {
  return symbols(object, SHT_SYMTAB, [](const GElf_Sym& sym) {
    return GELF_ST_BIND(sym.st_info) == STB_GLOBAL && sym.st_shndx != SHN_UNDEF;
  });
}

util::Result<std::vector<std::string>> exported_functions(const std::string& library) {
  auto names = symbols(library, SHT_DYNSYM, [](const GElf_Sym& sym) {
    const auto bind = GELF_ST_BIND(sym.st_info);
    return GELF_ST_TYPE(sym.st_info) == STT_FUNC && (bind == STB_GLOBAL || bind == STB_WEAK) &&
           sym.st_shndx != SHN_UNDEF && GELF_ST_VISIBILITY(sym.st_other) == STV_DEFAULT;
  });
  if (names) {
    std::sort(names->begin(), names->end());
    names->erase(std::unique(names->begin(), names->end()), names->end());  // one per symbol version
  }
  return names;
}

}  // namespace harness::exec
