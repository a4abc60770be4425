#include "harness/exec/elf_symbols.hpp"

#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace harness::exec {

namespace {

// Opens `file` for libelf and returns what `use` makes of its ELF object, or `otherwise` when the
// file cannot be opened or is not an ELF file.
template <class T, class Use>
T with_elf(const std::string& file, T otherwise, Use use) {
  if (elf_version(EV_CURRENT) == EV_NONE) return otherwise;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return otherwise;
  Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
  T out = elf && elf_kind(elf) == ELF_K_ELF ? use(elf) : std::move(otherwise);
  if (elf) elf_end(elf);
  ::close(fd);
  return out;
}

// Calls use(symbol, name) for every named symbol of the ELF object's sections of `type`
// (SHT_SYMTAB, SHT_DYNSYM).
template <class Use>
void for_each_symbol(Elf* elf, unsigned type, Use use) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != type || shdr.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data) continue;
    for (std::size_t i = 0; i < shdr.sh_size / shdr.sh_entsize; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
      if (const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name)) use(sym, name);
    }
  }
}

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
    for_each_symbol(elf, type, [&](const GElf_Sym& sym, const char* name) {
      if (*name && keep(sym)) names.emplace_back(name);
    });
  }
  if (elf) elf_end(elf);
  ::close(fd);
  if (!error.empty()) return util::make_error(error);
  return names;
}

}  // namespace

util::Result<std::vector<std::string>> strong_global_definitions(const std::string& object) {
  return symbols(object, SHT_SYMTAB,
                 [](const GElf_Sym& sym) { return GELF_ST_BIND(sym.st_info) == STB_GLOBAL && sym.st_shndx != SHN_UNDEF; });
}

util::Result<std::vector<std::string>> function_symbols(const std::string& object) {
  std::vector<std::string> all;
  for (const unsigned table : {SHT_SYMTAB, SHT_DYNSYM}) {
    auto names = symbols(object, table, [](const GElf_Sym& sym) { return GELF_ST_TYPE(sym.st_info) == STT_FUNC; });
    if (!names) return names.error();
    all.insert(all.end(), names->begin(), names->end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

bool uses_sanitizer_runtime(const std::string& file) {
  const auto sanitizer = [](const GElf_Sym&) { return true; };
  for (const unsigned table : {SHT_DYNSYM, SHT_SYMTAB}) {
    const auto names = symbols(file, table, sanitizer);
    if (!names) return false;
    for (const auto& name : *names)
      if (name.starts_with("__asan_") || name.starts_with("__tsan_") || name.starts_with("__ubsan_handle_") ||
          name.starts_with("__sanitizer_"))
        return true;
  }
  return false;
}

std::vector<DataSymbol> data_symbols(const std::string& object, const std::vector<std::string>& names) {
  return with_elf(object, std::vector<DataSymbol>{}, [&](Elf* elf) {
    std::vector<DataSymbol> found;
    for_each_symbol(elf, SHT_SYMTAB, [&](const GElf_Sym& sym, const char* name) {
      if (GELF_ST_TYPE(sym.st_info) == STT_OBJECT && std::find(names.begin(), names.end(), name) != names.end())
        found.push_back({name, sym.st_value, sym.st_size});
    });
    return found;
  });
}

std::string separate_debug_file(const std::string& root, const std::string& id) {
  return id.size() < 3 ? std::string() : root + "/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
}

std::string build_id(const std::string& file) {
  return with_elf(file, std::string(), [](Elf* elf) {
    std::string id;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn && id.empty(); scn = elf_nextscn(elf, scn)) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE) continue;
      Elf_Data* data = elf_getdata(scn, nullptr);
      GElf_Nhdr note;
      std::size_t name_at = 0, desc_at = 0;
      for (std::size_t at = 0; data && (at = gelf_getnote(data, at, &note, &name_at, &desc_at)) > 0;) {
        const auto* bytes = static_cast<const unsigned char*>(data->d_buf);
        if (note.n_type != NT_GNU_BUILD_ID || note.n_namesz != 4 || std::memcmp(bytes + name_at, "GNU", 4) != 0) continue;
        for (std::size_t i = 0; i < note.n_descsz; ++i) id += fmt::format("{:02x}", bytes[desc_at + i]);
        break;
      }
    }
    return id;
  });
}

bool has_compressed_sections(const std::string& file) {
  return with_elf(file, false, [](Elf* elf) {
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr shdr;
      if (gelf_getshdr(scn, &shdr) && (shdr.sh_flags & SHF_COMPRESSED) != 0) return true;
    }
    return false;
  });
}

std::string program_interpreter(const std::string& executable) {
  return with_elf(executable, std::string(), [](Elf* elf) {
    std::string interpreter;
    std::size_t count = 0;
    if (elf_getphdrnum(elf, &count) != 0) return interpreter;
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Phdr phdr;
      if (!gelf_getphdr(elf, static_cast<int>(i), &phdr) || phdr.p_type != PT_INTERP) continue;
      std::size_t size = 0;
      const char* image = elf_rawfile(elf, &size);
      if (image && phdr.p_offset + phdr.p_filesz <= size && phdr.p_filesz > 1)
        interpreter.assign(image + phdr.p_offset, phdr.p_filesz - 1);  // NUL-terminated
    }
    return interpreter;
  });
}

Command loader_listing_command(const std::string& executable) {
  Command command;
  const auto interpreter = program_interpreter(executable);
  if (!interpreter.empty()) command.argv = {interpreter, "--list", executable};
  return command;
}

std::vector<std::string> parse_loader_listing(std::string_view listing) {
  std::vector<std::string> libraries;
  std::size_t at = 0;
  while (at < listing.size()) {
    auto end = listing.find('\n', at);
    if (end == std::string_view::npos) end = listing.size();
    auto line = listing.substr(at, end - at);
    at = end + 1;
    if (const auto arrow = line.find("=> "); arrow != std::string_view::npos) line.remove_prefix(arrow + 3);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() != '/') continue;
    libraries.emplace_back(line.substr(0, line.find(" (")));
  }
  return libraries;
}

util::Result<std::vector<std::string>> exported_functions(const std::string& library) {
  auto names = symbols(library, SHT_DYNSYM, [](const GElf_Sym& sym) {
    const auto bind = GELF_ST_BIND(sym.st_info);
    return GELF_ST_TYPE(sym.st_info) == STT_FUNC && (bind == STB_GLOBAL || bind == STB_WEAK) && sym.st_shndx != SHN_UNDEF &&
           GELF_ST_VISIBILITY(sym.st_other) == STV_DEFAULT;
  });
  if (names) {
    std::sort(names->begin(), names->end());
    names->erase(std::unique(names->begin(), names->end()), names->end());  // one per symbol version
  }
  return names;
}

}  // namespace harness::exec
