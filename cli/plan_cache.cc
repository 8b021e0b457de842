// The plan cache (see plan_cache.h for what is keyed, what is checked, and why).
#include "cli/plan_cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace cordon::cli {

namespace fs = std::filesystem;

namespace {

// Far above any real policy or plan; a bigger file is not ours to read whole.
constexpr size_t kMaxFileBytes = 64u << 20;
constexpr const char* kFormat = "cordon-plan-cache 2";

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  // Closes now, reporting the error close(2) saw (a write-back failure on some filesystems).
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_;
};

// Bytes other than printable ASCII, '\' and '=' become \xHH: the key stays one unambiguous
// ASCII line per field (JSON would reject paths that are not UTF-8) and round-trips exactly.
std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7f && c != '\\' && c != '=')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 3 >= s.size()) return std::nullopt;
    if (s[i + 1] != 'x') return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = hex(s[i + 2]), lo = hex(s[i + 3]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 3;
  }
  return out;
}

// Reads a whole regular file. O_NONBLOCK so a FIFO put where a policy was cannot hang a lookup.
Result<std::string> read_regular(int dirfd, const std::string& path, int extra_flags,
                                 struct stat* st_out = nullptr) {
  Fd fd(openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | extra_flags));
  if (!fd.ok()) return fail(Error::from_errno(fmt::format("open {}", path)));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return fail(Error::from_errno(fmt::format("stat {}", path)));
  if (!S_ISREG(st.st_mode)) return fail(fmt::format("{} is not a regular file", path));
  if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes)
    return fail(fmt::format("{} is larger than {} bytes", path, kMaxFileBytes));
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Error::from_errno(fmt::format("read {}", path)));
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxFileBytes)
      return fail(fmt::format("{} is larger than {} bytes", path, kMaxFileBytes));
  }
  if (st_out) *st_out = st;
  return text;
}

// mkdir -p with mode 0700 for every folder it creates (XDG: the cache home is 0700).
Result<void> make_dirs(const fs::path& dir) {
  fs::path cur;
  for (const auto& part : dir) {
    cur /= part;
    if (part == "/" || part.empty()) continue;
    if (mkdir(cur.c_str(), 0700) == 0) {
      // Exactly 0700 whatever the umask: a umask like 0277 would leave a folder we cannot fill.
      if (chmod(cur.c_str(), 0700) != 0)
        return fail(Error::from_errno(fmt::format("chmod 0700 {}", cur.string())));
    } else if (errno != EEXIST) {
      return fail(Error::from_errno(fmt::format("mkdir {}", cur.string())));
    }
  }
  return {};
}

// The cordon folder: ours, a real folder, and exactly 0700 (set so when `fix_mode`: it is ours).
Result<Fd> open_own_dir(const std::string& dir, bool fix_mode) {
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.ok()) return fail(Error::from_errno(fmt::format("open {}", dir)));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return fail(Error::from_errno(fmt::format("stat {}", dir)));
  if (st.st_uid != geteuid())
    return fail(fmt::format("{} is owned by uid {}, not {}", dir, st.st_uid, geteuid()));
  if ((st.st_mode & 0777) != 0700) {
    if (!fix_mode) return fail(fmt::format("{} has mode {:o}, not 700", dir, st.st_mode & 0777));
    if (fchmod(fd.get(), 0700) != 0)
      return fail(Error::from_errno(fmt::format("chmod 0700 {}", dir)));
  }
  return fd;
}

Result<std::string> binary_identity() {
  // stat follows the link: the identity of the file this process runs, so rebuilding or
  // reinstalling cordon (new inode, size or times) starts a fresh cache.
  struct stat st;
  if (stat("/proc/self/exe", &st) != 0) return fail(Error::from_errno("stat /proc/self/exe"));
  return fmt::format("{} {} {} {}.{:09} {}.{:09}", static_cast<uint64_t>(st.st_dev),
                     static_cast<uint64_t>(st.st_ino), static_cast<int64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec,
                     static_cast<int64_t>(st.st_ctim.tv_sec), st.st_ctim.tv_nsec);
}

// The folder holding the cache's: $XDG_CACHE_HOME (a relative value is invalid and ignored,
// as XDG says), else $HOME/.cache; `home` tells which. "" when neither is absolute.
std::string cache_home(const char** home = nullptr) {
  if (const char* xdg = getenv("XDG_CACHE_HOME"); xdg && xdg[0] == '/') return xdg;
  const char* h = getenv("HOME");
  if (!h || h[0] != '/') return "";
  if (home) *home = h;
  return std::string(h) + "/.cache";
}

Result<std::string> default_dir() {
  const char* home = nullptr;
  std::string base = cache_home(&home);
  if (base.empty()) return fail("neither XDG_CACHE_HOME nor HOME is an absolute path");
  // A missing home (HOME=/nonexistent for `nobody`) is not ours to create.
  struct stat hst;
  if (home && (stat(home, &hst) != 0 || !S_ISDIR(hst.st_mode)))
    return fail(fmt::format("HOME {} is not a folder", home));
  if (auto r = make_dirs(base); !r) return fail(r.error());
  // Whoever owns the folder holding ours can swap ours for theirs: it must be this user's.
  // (Symlinks up to here are followed: ~/.cache on another disk is common.)
  struct stat st;
  if (stat(base.c_str(), &st) != 0) return fail(Error::from_errno(fmt::format("stat {}", base)));
  if (!S_ISDIR(st.st_mode)) return fail(fmt::format("{} is not a folder", base));
  if (st.st_uid != geteuid())
    return fail(fmt::format("{} is owned by uid {}, not {}", base, st.st_uid, geteuid()));
  std::string dir = (fs::path(base) / "cordon").string();
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(Error::from_errno(fmt::format("mkdir {}", dir)));
  // A fresh folder's mode (the umask took its share) is set exactly here.
  if (auto fd = open_own_dir(dir, /*fix_mode=*/true); !fd) return fail(fd.error());
  return dir;
}

Result<std::string> explicit_dir(const std::string& dir) {
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec);
  if (ec) return fail(fmt::format("{}: {}", dir, ec.message()));
  if (auto r = make_dirs(abs); !r) return fail(r.error());
  // Per-operation opens refuse a symlink as the last component; resolve a chosen one once.
  fs::path real = fs::canonical(abs, ec);
  if (ec) return fail(fmt::format("{}: {}", abs.string(), ec.message()));
  if (auto fd = open_own_dir(real.string(), /*fix_mode=*/true); !fd) return fail(fd.error());
  return real.string();
}

std::string random_suffix() {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r)) {
    static uint64_t counter = 0;
    r = (static_cast<uint64_t>(getpid()) << 32) ^ ++counter;
  }
  return fmt::format("{:016x}", r);
}

Result<void> write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Error::from_errno("write"));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.string();
}

}  // namespace

PlanCache::PlanCache(std::string dir) {
  auto id = binary_identity();
  if (!id) {
    disabled_reason_ = id.error().message();
    return;
  }
  binary_id_ = std::move(*id);
  auto d = dir.empty() ? default_dir() : explicit_dir(dir);
  if (!d) {
    disabled_reason_ = d.error().message();
    return;
  }
  dir_ = std::move(*d);
}

std::string PlanCache::default_path() {
  std::string base = cache_home();
  return base.empty() ? "" : (fs::path(base) / "cordon").string();
}

PlanCache PlanCache::disabled(std::string reason) {
  PlanCache c{DisabledTag{}};
  c.disabled_reason_ = std::move(reason);
  return c;
}

std::string PlanCache::key_string(const PlanCacheKey& key) const {
  // One field per line, values escaped (no spaces, '=' or newlines inside): two different
  // keys never print the same.
  std::string s =
      fmt::format("{}\nplan-version {}\nbinary {}\npolicy {}\n", kFormat, launcher::kPlanVersion,
                  binary_id_, escape(absolute(key.policy_path)));
  for (const auto& d : key.search_path) s += fmt::format("search {}\n", escape(absolute(d)));
  for (const auto& [name, value] : key.vars)
    s += fmt::format("var {}={}\n", escape(name), escape(value));
  return s;
}

std::string PlanCache::entry_name(const PlanCacheKey& key) const {
  return launcher::fnv1a_hex(key_string(key)) + ".json";
}

std::optional<launcher::Plan> PlanCache::lookup(const PlanCacheKey& key) const {
  if (!enabled()) return std::nullopt;
  try {
    auto dir = open_own_dir(dir_, /*fix_mode=*/false);
    if (!dir) return std::nullopt;
    struct stat st;
    auto text = read_regular(dir->get(), entry_name(key), O_NOFOLLOW, &st);
    if (!text) return std::nullopt;  // no entry: the common miss
    // Only this user's own writes count (the folder is 0700, so this is defence in depth).
    if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) return std::nullopt;

    auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    const std::string want = key_string(key);
    // fnv1a names the file; the full key inside rules out a hash collision.
    if (!j.contains("key") || !j["key"].is_string() || j["key"].get<std::string>() != want)
      return std::nullopt;
    if (!j.contains("files") || !j["files"].is_array() || j["files"].empty()) return std::nullopt;
    const std::string policy = absolute(key.policy_path);
    bool saw_policy = false;
    for (const auto& f : j["files"]) {
      if (!f.is_object() || !f.contains("path") || !f.contains("text") || !f["path"].is_string() ||
          !f["text"].is_string())
        return std::nullopt;
      auto path = unescape(f["path"].get<std::string>());
      auto compiled = unescape(f["text"].get<std::string>());
      if (!path || !compiled || path->empty() || (*path)[0] != '/') return std::nullopt;
      // The bytes the plan was compiled from, exactly; a missing or unreadable file is a miss.
      auto now = read_regular(AT_FDCWD, *path, 0);
      if (!now || *now != *compiled) return std::nullopt;
      saw_policy = saw_policy || *path == policy;
    }
    if (!saw_policy) return std::nullopt;
    if (!j.contains("plan")) return std::nullopt;
    auto plan = launcher::plan_from_json(j["plan"]);
    if (!plan) return std::nullopt;
    return std::move(*plan);
  } catch (const std::exception&) {
    return std::nullopt;  // a corrupt entry is a miss, never an error
  }
}

Result<void> PlanCache::store(const PlanCacheKey& key, const launcher::Plan& plan,
                              const std::vector<std::string>& texts) const {
  if (!enabled()) return fail("plan cache disabled: " + disabled_reason_);
  if (texts.size() != plan.policy_files.size())
    return fail(fmt::format("plan cache: {} policy files but {} texts", plan.policy_files.size(),
                            texts.size()));
  std::string text;
  try {
    // Paths are made absolute now, in the process (and cwd) that compiled the plan. The policy
    // itself must be among them: an entry whose policy's bytes are not recorded is never made.
    const std::string policy = absolute(key.policy_path);
    bool saw_policy = false;
    std::vector<std::string> paths;
    nlohmann::json files = nlohmann::json::array();
    for (size_t i = 0; i < plan.policy_files.size(); ++i) {
      std::string a = absolute(plan.policy_files[i]);
      if (std::find(paths.begin(), paths.end(), a) != paths.end()) continue;
      saw_policy = saw_policy || a == policy;
      files.push_back({{"path", escape(a)}, {"text", escape(texts[i])}});
      paths.push_back(std::move(a));
    }
    if (!saw_policy)
      return fail(fmt::format("plan cache: the plan does not list its policy {}", policy));
    nlohmann::json entry = {{"key", key_string(key)},
                            {"files", std::move(files)},
                            {"plan", launcher::plan_to_json(plan)}};
    text = entry.dump() + "\n";
  } catch (const std::exception& e) {
    return fail(fmt::format("plan cache: serialising the entry: {}", e.what()));
  }

  auto dir = open_own_dir(dir_, /*fix_mode=*/false);
  if (!dir) return fail(dir.error().wrap("plan cache"));
  const std::string name = entry_name(key);
  // A temp file in the same folder, renamed over the entry: a reader sees the old entry or the
  // new one, never half of one. O_EXCL: never write through a file someone else placed.
  std::string tmp;
  Fd fd;
  for (int attempt = 0; attempt < 8 && !fd.ok(); ++attempt) {
    tmp = fmt::format(".{}.{}.tmp", name, random_suffix());
    fd = Fd(openat(dir->get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0600));
    if (!fd.ok() && errno != EEXIST) break;
  }
  if (!fd.ok()) return fail(Error::from_errno(fmt::format("plan cache: create {}/{}", dir_, tmp)));
  auto cleanup = [&](Error e) {
    unlinkat(dir->get(), tmp.c_str(), 0);
    return fail(std::move(e).wrap("plan cache"));
  };
  // The umask may have taken bits away; 0600 exactly, whatever it was.
  if (fchmod(fd.get(), 0600) != 0) return cleanup(Error::from_errno("chmod 0600 " + tmp));
  if (auto w = write_all(fd.get(), text); !w) return cleanup(w.error().wrap(tmp));
  if (fd.close() != 0) return cleanup(Error::from_errno("close " + tmp));
  if (renameat(dir->get(), tmp.c_str(), dir->get(), name.c_str()) != 0)
    return cleanup(Error::from_errno(fmt::format("rename {} to {}", tmp, name)));
  return {};
}

}  // namespace cordon::cli
