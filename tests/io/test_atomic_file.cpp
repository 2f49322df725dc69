// Stale temporaries: what a killed writer leaves (`NAME.tmp.<pid>`) goes at the next run, whether
// or not that run writes NAME again; a live writer's temporary and other files stay.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "io/atomic_file.h"
#include "tests/io/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using snn::test::TempDir;

void touch(const fs::path& p) {
  std::ofstream(p) << "x";
}

// A pid that runs no process: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

TEST(AtomicFile, FolderSweepRemovesOnlyDeadWritersTemporaries) {
  TempDir dir;
  const fs::path d(dir.str());
  const std::string dead = std::to_string(dead_pid());
  const std::string live = std::to_string(::getppid());  // our parent runs
  touch(d / ("metrics.csv.tmp." + dead));
  touch(d / ("checkpoint_latest.h5.tmp." + dead));
  touch(d / ("metrics.csv.tmp." + live));
  touch(d / "metrics.csv");
  touch(d / "notes.tmp.txt");   // not <name>.tmp.<pid>
  touch(d / (".tmp." + dead));  // no file name before the suffix
  EXPECT_EQ(snn::io::remove_stale_temporaries_in(d.string()), 2);
  EXPECT_FALSE(fs::exists(d / ("metrics.csv.tmp." + dead)));
  EXPECT_FALSE(fs::exists(d / ("checkpoint_latest.h5.tmp." + dead)));
  EXPECT_TRUE(fs::exists(d / ("metrics.csv.tmp." + live)));
  EXPECT_TRUE(fs::exists(d / "metrics.csv"));
  EXPECT_TRUE(fs::exists(d / "notes.tmp.txt"));
  EXPECT_TRUE(fs::exists(d / (".tmp." + dead)));
  EXPECT_EQ(snn::io::remove_stale_temporaries_in((d / "missing").string()), 0);
}

TEST(AtomicFile, WriteRemovesItsOwnStaleTemporary) {
  TempDir dir;
  const fs::path target = fs::path(dir.str()) / "a.txt";
  touch(fs::path(dir.str()) / ("a.txt.tmp." + std::to_string(dead_pid())));
  snn::io::write_atomically(target.string(),
                            [](const std::string& tmp) { std::ofstream(tmp) << "new"; });
  int files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(dir.str()))) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  std::ifstream in(target);
  std::string s;
  in >> s;
  EXPECT_EQ(s, "new");
}

}  // namespace
