// Grouping records into events: the kernel writes one event as several records sharing
// audit(TIME:SERIAL) (and auditd's node=), e.g. AVC + SYSCALL + CWD + PATH… + PROCTITLE + EOE.
// A denial record alone lacks exe, cwd, the paths and the syscall of SELinux, AppArmor and
// Landlock denials; its siblings have them.
//
// Streaming, in bounded memory: an event is emitted when its EOE arrives, when a record
// more than `window` seconds younger arrives (records of one event are written together;
// the window tolerates interleaving), or when more than `max_open` events are open or their
// records hold more than `max_bytes` (a stream of records that share one serial and never end
// cannot grow without bound). Records with no serial (journald short, bare bodies) are events
// of their own.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "audit/denial.h"
#include "audit/record.h"

namespace cordon::audit {

struct Event {
  std::string node;
  double time = 0;
  uint64_t serial = 0;
  std::vector<Record> records;  // in arrival order, EOE excluded
  bool saw_eoe = false;

  // From the SYSCALL record (empty when there was none).
  std::optional<int64_t> pid;
  std::string comm, exe, arch, syscall;
  std::optional<int> syscall_nr;
  std::array<std::optional<uint64_t>, 4> args{};  // a0..a3 (hex in the record)
  std::optional<int64_t> exit;
  std::string success;  // "yes" / "no"
  // From CWD, PATH (name= of each, in item order) and PROCTITLE (NULs as spaces).
  std::string cwd, proctitle;
  std::vector<std::string> paths;
};

class EventGrouper {
 public:
  explicit EventGrouper(double window = 2.0, size_t max_open = 1024,
                        size_t max_bytes = 64 * 1024 * 1024)
      : window_(window), max_open_(max_open), max_bytes_(max_bytes) {}

  // Adds a record; returns the events this completes or evicts (often none).
  std::vector<Event> add(Record rec);
  // The events still open, oldest first (at end of input).
  std::vector<Event> flush();
  // Whether the event (node, serial, time) is open (cheap when none is).
  bool is_open(const std::string& node, uint64_t serial, double time) const;
  // A record at `time` was read but not added: the clock moves on all the same, and the
  // events now too old are returned.
  std::vector<Event> advance(double time);

 private:
  using Key = std::tuple<std::string, uint64_t, double>;
  std::vector<Event> emit(const Key& key);

  double window_;
  size_t max_open_;
  size_t max_bytes_;
  size_t open_bytes_ = 0;  // about what the open events' records hold
  std::map<Key, Event> open_;
  std::deque<Key> order_;  // arrival order of open events' first records
  double newest_ = 0;
};

// Fills what `d` lacks (pid, comm, exe, syscall, arch, path, cwd, proctitle) from the event.
void enrich(Denial& d, const Event& ev);

}  // namespace cordon::audit
