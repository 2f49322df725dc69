// Atomic replacement of a file: write to a temporary beside it, flush to disk, then rename over
// the target, so a run killed at any moment leaves either the old file or the new one, whole.
#pragma once

#include <functional>
#include <string>

namespace snn::io {

/// Calls `write(tmp_path)` to produce the file at a temporary path in the same directory, syncs
/// it and renames it to `path`. On any error the temporary is removed, the old file is untouched
/// and IoError is thrown (naming the path and the cause: missing folder, no space, no permission).
void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write);

/// Removes `path`.tmp.<pid> files beside `path` whose process <pid> no longer runs (what a run
/// killed during a write leaves); returns how many. write_atomically calls it first.
int remove_stale_temporaries(const std::string& path);

/// Removes every `<name>.tmp.<pid>` in `dir` whose process no longer runs: a run calls it on its
/// output folder at start, so a temporary left by a killed run goes even when the file it was
/// for is never written again (a resumed run with nothing left to do); returns how many.
int remove_stale_temporaries_in(const std::string& dir);

/// Throws IoError unless a file can be created in `dir` (checked by creating and removing one).
void require_writable_dir(const std::string& dir);

}  // namespace snn::io
