// refuse_untrusted: see trust.h for what is refused and why.
#include "launcher/trust.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace cordon::launcher {
namespace {

namespace fs = std::filesystem;

struct WritableBind {
  dev_t dev;
  ino_t ino;
  std::string path, origin;
};

std::string absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

std::string mode_text(const struct stat& st) { return fmt::format("{:04o}", st.st_mode & 07777); }

// Who may change what is in `dir` (owner and mode), for the entry `child` in it.
Result<void> check_folder(const TrustedPath& t, const std::string& dir_name, const struct stat& dir,
                          const struct stat& child, uid_t uid) {
  if (dir.st_uid != uid && dir.st_uid != 0)
    return fail(fmt::format("{} {}: the folder {} is owned by uid {}, not by you (uid {}) or "
                            "root, and its owner could replace what cordon reads there",
                            t.what, t.path, dir_name, dir.st_uid, uid),
                EPERM);
  // Writable by others: only a sticky folder keeps them from renaming or removing an entry
  // they do not own, and then the entry must be yours or root's.
  if ((dir.st_mode & 022) != 0 &&
      (!(dir.st_mode & S_ISVTX) || (child.st_uid != uid && child.st_uid != 0)))
    return fail(fmt::format("{} {}: the folder {} is writable by group or others (mode {}), so "
                            "they could replace what cordon reads there",
                            t.what, t.path, dir_name, mode_text(dir)),
                EPERM);
  return {};
}

const WritableBind* bind_of(const std::vector<WritableBind>& binds, const struct stat& st) {
  for (const WritableBind& b : binds)
    if (b.dev == st.st_dev && b.ino == st.st_ino) return &b;
  return nullptr;
}

Result<void> inside_bind(const TrustedPath& t, const WritableBind& b) {
  return fail(
      fmt::format("{} {} lies inside {}, which this sandbox binds read-write ({}): the "
                  "app could rewrite it for the next launch; keep policies, their "
                  "includes, the plan cache and the registry outside the sandbox's "
                  "writable binds{}",
                  t.what, t.path, b.path, b.origin,
                  t.what == "plan cache" ? " (set XDG_CACHE_HOME to a folder outside them)" : ""),
      EPERM);
}

// Calls `f(folder, its stat, the stat of the entry below it)` for each folder above `path`,
// nearest first, up to and including "/"; stops at the first failure.
template <typename F>
Result<void> for_each_folder_above(const TrustedPath& t, const fs::path& path, struct stat below,
                                   F&& f) {
  for (fs::path dir = path.parent_path();; dir = dir.parent_path()) {
    struct stat dst;
    if (stat(dir.c_str(), &dst) != 0)
      return fail(Error::from_errno(fmt::format("{} {}: stat {}", t.what, t.path, dir.string())));
    if (auto r = f(dir, dst, below); !r) return r;
    below = dst;
    if (dir == dir.parent_path()) return {};
  }
}

Result<void> check_one(const TrustedPath& t, const std::vector<WritableBind>& binds, uid_t uid) {
  struct stat st;
  if (stat(t.path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return fail(Error::from_errno(fmt::format("{} {}", t.what, t.path)));
  }
  const bool owners = !t.binds_only;
  if (owners && st.st_uid != uid && st.st_uid != 0)
    return fail(fmt::format("{} {} is owned by uid {}, not by you (uid {}) or root", t.what, t.path,
                            st.st_uid, uid),
                EPERM);
  if (owners && (st.st_mode & 022) != 0)
    return fail(fmt::format("{} {} is writable by group or others (mode {})", t.what, t.path,
                            mode_text(st)),
                EPERM);
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1)
    return fail(fmt::format("{} {} has {} hard links: another name for it could lie inside a "
                            "writable bind; use a copy with one name",
                            t.what, t.path, st.st_nlink),
                EPERM);
  if (const WritableBind* b = bind_of(binds, st)) return inside_bind(t, *b);

  // The real ancestry: the folders of the canonical path (no symlink in it), compared by
  // device and inode, so that another name for one — a symlink, a bind mount — counts too.
  std::error_code ec;
  const fs::path real = fs::canonical(t.path, ec);
  if (ec) return fail(fmt::format("{} {}: {}", t.what, t.path, ec.message()), ec.value());
  if (auto r = for_each_folder_above(t, real, st,
                                     [&](const fs::path& dir, const struct stat& dst,
                                         const struct stat& below) -> Result<void> {
                                       if (const WritableBind* b = bind_of(binds, dst))
                                         return inside_bind(t, *b);
                                       if (!owners) return {};
                                       return check_folder(t, dir.string(), dst, below, uid);
                                     });
      !r)
    return r;
  // The folders of the name as given, where it is not the canonical one: whoever may change
  // one of them may point a symlink in it elsewhere, even when the real ancestry is sound.
  if (!owners || real == fs::path(t.path)) return {};
  return for_each_folder_above(
      t, t.path, st, [&](const fs::path& dir, const struct stat& dst, const struct stat& below) {
        return check_folder(t, dir.string(), dst, below, uid);
      });
}

}  // namespace

std::vector<TrustedPath> trusted_paths(const Plan& plan, const std::vector<TrustedPath>& extra) {
  std::vector<TrustedPath> out;
  for (size_t i = 0; i < plan.policy_files.size(); ++i)
    out.push_back({i == 0 ? "policy" : "include", plan.policy_files[i]});
  for (const TrustedPath& t : extra)
    if (!t.path.empty()) out.push_back(t);
  return out;
}

Result<void> refuse_untrusted(const Plan& plan, const std::vector<TrustedPath>& paths, uid_t uid) {
  std::vector<WritableBind> binds;
  if (plan.namespaces.mount) {
    for (const Mount& m : plan.mounts) {
      if (m.kind != "rw") continue;
      struct stat st;
      // A symlink entry is replicated, not bound (spec.cc); a missing optional one is skipped.
      if (lstat(m.path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) continue;
      binds.push_back({st.st_dev, st.st_ino, m.path, m.origin});
    }
  }
  for (const TrustedPath& t : paths) {
    TrustedPath abs{t.what, absolute(t.path), t.binds_only};
    if (auto r = check_one(abs, binds, uid); !r) return r;
  }
  return {};
}

}  // namespace cordon::launcher
