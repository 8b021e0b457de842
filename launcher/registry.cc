#include "launcher/registry.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "launcher/unique_fd.h"

namespace cordon::launcher {

namespace {

// The name of a running sandbox's record ends so; an ended one's in plain ".json".
constexpr const char* kRunningSuffix = ".run.json";

using nlohmann::json;

// A record is a few hundred bytes; anything much larger is not one of ours.
constexpr off_t kMaxRecordBytes = 256 * 1024;

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

Result<UniqueFd> open_dir(const std::string& dir) {
  if (dir.empty() || dir.front() != '/') return fail(Error("registry directory is not absolute"));
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(Error::from_errno("registry " + dir));
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail(Error::from_errno("registry " + dir));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return fail(Error::from_errno("registry " + dir));
  if (st.st_uid != geteuid())
    return fail(
        Error(fmt::format("registry {}: owned by uid {}, not by the caller", dir, st.st_uid)));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fail(
        Error(fmt::format("registry {}: writable by others (mode {:o})", dir, st.st_mode & 07777)));
  return fd;
}

}  // namespace

std::string registry_dir() {
  const char* xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/cordon";
  if (geteuid() == 0) return "/run/cordon";
  return "";
}

std::string record_json(const SandboxRecord& r) {
  json j = {{"version", 1},
            {"id", r.id},
            {"host_pid", r.host_pid},
            {"app_pid", opt(r.app_pid)},
            {"pid_ns", opt(r.pid_ns)},
            {"uid", r.uid},
            {"start", r.start},
            {"end", opt(r.end)},
            {"exit_code", opt(r.exit_code)},
            {"command", r.command},
            {"policy_name", r.policy_name},
            {"policy_files", r.policy_files},
            {"policy_hash", r.policy_hash},
            {"vars", r.vars},
            {"search_path", r.search_path}};
  return j.dump() + "\n";
}

std::optional<SandboxRecord> parse_record(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("version", 0) != 1) return std::nullopt;
  try {
    SandboxRecord r;
    r.id = j.at("id").get<std::string>();
    r.host_pid = j.at("host_pid").get<int64_t>();
    if (!j.at("app_pid").is_null()) r.app_pid = j.at("app_pid").get<int64_t>();
    if (!j.at("pid_ns").is_null()) r.pid_ns = j.at("pid_ns").get<uint64_t>();
    r.uid = j.at("uid").get<uint32_t>();
    r.start = j.at("start").get<double>();
    if (!j.at("end").is_null()) r.end = j.at("end").get<double>();
    if (!j.at("exit_code").is_null()) r.exit_code = j.at("exit_code").get<int>();
    r.command = j.at("command").get<std::vector<std::string>>();
    r.policy_name = j.at("policy_name").get<std::string>();
    r.policy_files = j.at("policy_files").get<std::vector<std::string>>();
    r.policy_hash = j.at("policy_hash").get<std::string>();
    r.vars = j.at("vars").get<std::map<std::string, std::string>>();
    r.search_path = j.at("search_path").get<std::vector<std::string>>();
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

Result<void> write_record(const std::string& dir, const SandboxRecord& rec) {
  auto d = open_dir(dir);
  if (!d) return fail(d.error());
  if (rec.id.empty() || rec.id.find('/') != std::string::npos || rec.id.front() == '.')
    return fail(Error("registry: bad record id"));
  // A running sandbox's record is ID.run.json, an ended one's ID.json: pruning tells them
  // apart by name, without reading them.
  const std::string running = rec.id + kRunningSuffix;
  const std::string name = rec.end ? rec.id + ".json" : running;
  const std::string tmp = "." + rec.id + ".tmp";
  UniqueFd fd(
      openat(d->get(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return fail(Error::from_errno(fmt::format("registry {}/{}", dir, tmp)));
  const std::string text = record_json(rec);
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    int e = errno;
    unlinkat(d->get(), tmp.c_str(), 0);
    errno = e;
    return fail(Error::from_errno(fmt::format("registry {}/{}", dir, tmp)));
  }
  fd.reset();
  if (renameat(d->get(), tmp.c_str(), d->get(), name.c_str()) != 0) {
    int e = errno;
    unlinkat(d->get(), tmp.c_str(), 0);
    errno = e;
    return fail(Error::from_errno(fmt::format("registry {}/{}", dir, name)));
  }
  if (rec.end) unlinkat(d->get(), running.c_str(), 0);
  return {};
}

namespace {

// Record names by start time (the number before '-'), then name.
bool by_start(const std::string& a, const std::string& b) {
  auto start_of = [](const std::string& n) {
    uint64_t v = 0;
    std::from_chars(n.data(), n.data() + n.size(), v);
    return v;
  };
  uint64_t x = start_of(a), y = start_of(b);
  return x != y ? x < y : a < b;
}

// Record files of `dir`, by name (ids start with the start time, so names sort by age).
std::vector<std::string> record_names(int dirfd) {
  std::vector<std::string> names;
  int fd = dup(dirfd);
  if (fd < 0) return names;
  DIR* d = fdopendir(fd);
  if (!d) {
    close(fd);
    return names;
  }
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.front() != '.' && n.ends_with(".json")) names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end(), by_start);
  return names;
}

// The text of a record file, and in `owner` the uid that owns it.
std::optional<std::string> read_small(int dirfd, const std::string& name, uid_t& owner) {
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return std::nullopt;
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxRecordBytes)
    return std::nullopt;
  owner = st.st_uid;
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return text;
}

}  // namespace

void prune_registry(const std::string& dir, size_t keep) {
  UniqueFd d(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) return;
  auto names = record_names(d.get());
  if (names.size() <= keep) return;
  size_t excess = names.size() - keep;
  for (const auto& n : names) {
    if (excess == 0) break;
    // Running (ID.run.json, ID = START-PID): keep while its PID 1 lives. One whose PID 1 is
    // gone lost its supervisor (SIGKILLed) and goes like an ended one.
    if (n.ends_with(kRunningSuffix)) {
      size_t dash = n.find('-');
      pid_t pid = 0;
      if (dash != std::string::npos) std::from_chars(n.data() + dash + 1, n.data() + n.size(), pid);
      if (pid > 0 && kill(pid, 0) == 0) continue;
    }
    unlinkat(d.get(), n.c_str(), 0);
    --excess;
  }
}

std::vector<SandboxRecord> read_registry(const std::string& dir, size_t* skipped,
                                         std::vector<std::string>* refused) {
  std::vector<SandboxRecord> out;
  UniqueFd d(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d) return out;
  struct stat dst;
  if (fstat(d.get(), &dst) != 0) return out;
  auto names = record_names(d.get());
  for (const auto& n : names) {
    // A record caught between its ended form's rename and the running one's removal.
    if (n.ends_with(kRunningSuffix) &&
        std::binary_search(names.begin(), names.end(),
                           n.substr(0, n.size() - std::strlen(kRunningSuffix)) + ".json", by_start))
      continue;
    uid_t owner = 0;
    auto text = read_small(d.get(), n, owner);
    auto rec = text ? parse_record(*text) : std::nullopt;
    if (!rec) {
      if (skipped) ++*skipped;
      continue;
    }
    // Anyone may write a record into a directory of their own (root reads every
    // /run/user/*/cordon): it speaks for the uid that owns it and its directory, never for
    // the uid it names.
    if (rec->uid != owner || owner != dst.st_uid) {
      if (refused)
        refused->push_back(fmt::format(
            "{}/{}: the record says uid {}, but the file is owned by uid {} and its directory "
            "by uid {}",
            dir, n, rec->uid, owner, dst.st_uid));
      continue;
    }
    out.push_back(std::move(*rec));
  }
  return out;
}

}  // namespace cordon::launcher
