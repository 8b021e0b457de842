#include "audit/event.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "audit/fields.h"
#include "audit/record_types.h"
#include "audit/syscalls.h"

namespace cordon::audit {
namespace {

void summarize(Event& ev) {
  for (const Record& r : ev.records) {
    switch (r.type) {
      case kSyscall: {
        ev.pid = number<int64_t>(r.value("pid"));
        ev.comm = std::string(r.value("comm"));
        ev.exe = std::string(r.value("exe"));
        ev.exit = number<int64_t>(r.value("exit"));
        ev.success = std::string(r.value("success"));
        Call call = resolve_call(r.value("arch"), r.value("syscall"));
        ev.arch = std::move(call.arch);
        ev.syscall = std::move(call.syscall);
        ev.syscall_nr = call.nr;
        for (size_t k = 0; k < ev.args.size(); ++k) {
          std::string_view a = r.value(fmt::format("a{}", k));
          uint64_t v = 0;
          auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), v, 16);
          if (!a.empty() && ec == std::errc() && end == a.data() + a.size()) ev.args[k] = v;
        }
        break;
      }
      case kCwd:
        ev.cwd = std::string(r.value("cwd"));
        break;
      case kPath:
        if (const std::string* n = r.get("name")) ev.paths.push_back(*n);
        break;
      case kProctitle:
        ev.proctitle = std::string(r.value("proctitle"));
        break;
      case 1402:  // AVC_PATH (old SELinux kernels)
        if (const std::string* p = r.get("path")) ev.paths.push_back(*p);
        break;
      default:
        break;
    }
  }
}

// About what a record holds in memory, for the grouper's bound.
size_t footprint(const Record& r) {
  size_t n = sizeof(Record) + r.node.size() + r.type_name.size();
  for (const auto& [k, v] : r.fields) n += 2 * sizeof(std::string) + k.size() + v.size();
  return n;
}

Event single(Record rec) {
  Event ev;
  ev.node = rec.node;
  ev.time = rec.time;
  ev.serial = rec.serial;
  ev.records.push_back(std::move(rec));
  summarize(ev);
  return ev;
}

}  // namespace

std::vector<Event> EventGrouper::emit(const Key& key) {
  std::vector<Event> out;
  auto it = open_.find(key);
  if (it == open_.end()) return out;
  for (const Record& r : it->second.records) open_bytes_ -= std::min(open_bytes_, footprint(r));
  summarize(it->second);
  out.push_back(std::move(it->second));
  open_.erase(it);
  order_.erase(std::find(order_.begin(), order_.end(), key));
  return out;
}

std::vector<Event> EventGrouper::add(Record rec) {
  std::vector<Event> out;
  if (rec.serial == 0) {
    out.push_back(single(std::move(rec)));
    return out;
  }
  newest_ = std::max(newest_, rec.time);
  Key key{rec.node, rec.serial, rec.time};
  bool eoe = rec.type == kEoe;
  auto it = open_.find(key);
  if (it == open_.end()) {
    Event ev;
    ev.node = rec.node;
    ev.time = rec.time;
    ev.serial = rec.serial;
    it = open_.emplace(key, std::move(ev)).first;
    order_.push_back(key);
  }
  if (eoe) {
    it->second.saw_eoe = true;
  } else {
    open_bytes_ += footprint(rec);
    it->second.records.push_back(std::move(rec));
  }
  if (eoe) out = emit(key);
  // Evict what is too old, too many or too big, oldest first.
  while (!order_.empty() && (open_.size() > max_open_ || open_bytes_ > max_bytes_ ||
                             std::get<2>(order_.front()) < newest_ - window_)) {
    auto evicted = emit(order_.front());
    for (auto& e : evicted) out.push_back(std::move(e));
  }
  return out;
}

bool EventGrouper::is_open(const std::string& node, uint64_t serial, double time) const {
  return !open_.empty() && open_.count(Key{node, serial, time}) > 0;
}

std::vector<Event> EventGrouper::advance(double time) {
  std::vector<Event> out;
  if (time <= newest_) return out;
  newest_ = time;
  while (!order_.empty() && std::get<2>(order_.front()) < newest_ - window_) {
    auto evicted = emit(order_.front());
    for (auto& e : evicted) out.push_back(std::move(e));
  }
  return out;
}

std::vector<Event> EventGrouper::flush() {
  std::vector<Event> out;
  while (!order_.empty()) {
    auto evicted = emit(order_.front());
    for (auto& e : evicted) out.push_back(std::move(e));
  }
  return out;
}

void enrich(Denial& d, const Event& ev) {
  if (!d.pid) d.pid = ev.pid;
  if (d.comm.empty()) d.comm = ev.comm;
  if (d.exe.empty()) d.exe = ev.exe;
  if (d.syscall.empty()) {
    d.syscall = ev.syscall;
    d.syscall_nr = ev.syscall_nr;
  }
  // The arguments belong to the denial only when the SYSCALL record is of the same call.
  if (ev.syscall_nr && d.syscall_nr == ev.syscall_nr && !d.args[0]) d.args = ev.args;
  if (d.arch.empty()) d.arch = ev.arch;
  if (d.path.empty() && !ev.paths.empty()) d.path = ev.paths.front();
  if (d.cwd.empty()) d.cwd = ev.cwd;
  if (d.proctitle.empty()) d.proctitle = ev.proctitle;
}

}  // namespace cordon::audit
