// CIFAR-10 binary batches: plain files, the unpacked subfolder and the tar.gz archive give the
// same images; every bad input is one error naming the file; the class-count checks.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/cifar_reader.h"
#include "io/dataset_classes.h"
#include "sim/core/errors.h"
#include "tests/io/cifar_files.h"
#include "tests/io/temp_dir.h"

namespace {

using namespace snn;
using snn::test::TempDir;

template <class E, class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("WRONG TYPE: ") + e.what();
  }
  return "NO ERROR";
}

TEST(CifarReader, PlainFilesGiveChannelMajorImagesAndLabels) {
  TempDir d;
  test::write_cifar_files(d.str(), 3, 4);
  EXPECT_TRUE(io::has_cifar10(d.str()));
  io::ImageSet train = io::read_cifar10(d.str(), true);
  io::ImageSet test = io::read_cifar10(d.str(), false);
  EXPECT_EQ(train.count, 15);
  EXPECT_EQ(test.count, 4);
  EXPECT_EQ(train.channels, 3);
  EXPECT_EQ(train.rows, 32);
  EXPECT_EQ(train.pixels(), 3072);
  EXPECT_EQ(train.classes(), 10);
  EXPECT_EQ(train.images.size(), 15u * 3072);
  // Record 1 of data_batch_2 is image 4: its label byte, then its pixels in file order.
  const std::vector<std::uint8_t> b2 = test::cifar_batch(3, 2);
  EXPECT_EQ(train.labels[4], b2[3073]);
  for (int p : {0, 1023, 1024, 2047, 3071})
    EXPECT_EQ(train.images[4 * 3072 + p], b2[3073 + 1 + p]) << p;
  // The bright block of class `label` sits in channel label % 3.
  const int label = train.labels[4];
  EXPECT_EQ(train.images[4 * 3072 + (label % 3) * 1024 + (label / 3) * 8 * 32], 255);
}

TEST(CifarReader, SubfolderAndArchiveGiveTheSameSets) {
  TempDir plain, sub, archive;
  test::write_cifar_files(plain.str(), 2, 3);
  std::filesystem::create_directories(sub / "cifar-10-batches-bin");
  test::write_cifar_files(sub / "cifar-10-batches-bin", 2, 3);
  test::write_cifar_archive(archive.str(), 2, 3);
  EXPECT_TRUE(io::has_cifar10(sub.str()));
  EXPECT_TRUE(io::has_cifar10(archive.str()));
  for (bool train : {true, false}) {
    io::ImageSet a = io::read_cifar10(plain.str(), train);
    io::ImageSet b = io::read_cifar10(sub.str(), train);
    io::ImageSet c = io::read_cifar10(archive.str(), train);
    EXPECT_EQ(a.images, b.images);
    EXPECT_EQ(a.images, c.images);
    EXPECT_EQ(a.labels, c.labels);
    EXPECT_EQ(c.count, train ? 10 : 3);
  }
  TempDir none;
  EXPECT_FALSE(io::has_cifar10(none.str()));
}

TEST(CifarReader, BadFilesGiveOneErrorNamingTheFile) {
  TempDir d;
  test::write_cifar_files(d.str(), 2, 2);
  // Truncated: one record and 100 bytes.
  std::vector<std::uint8_t> b = test::cifar_batch(2, 3);
  b.resize(3073 + 100);
  test::write_bytes(d / "data_batch_3.bin", b);
  std::string e = error_of<FormatError>([&] { io::read_cifar10(d.str(), true); });
  EXPECT_NE(e.find("data_batch_3.bin' is truncated"), std::string::npos) << e;
  EXPECT_NE(e.find("3173 bytes"), std::string::npos) << e;
  // A label of 10.
  test::write_bytes(d / "data_batch_3.bin", test::cifar_batch(3, 3, {4, 10}));
  e = error_of<FormatError>([&] { io::read_cifar10(d.str(), true); });
  EXPECT_NE(e.find("data_batch_3.bin': record 1 has label 10; CIFAR-10 has 10 classes"),
            std::string::npos)
      << e;
  // Empty.
  test::write_bytes(d / "data_batch_3.bin", {});
  e = error_of<FormatError>([&] { io::read_cifar10(d.str(), true); });
  EXPECT_NE(e.find("data_batch_3.bin' is empty"), std::string::npos) << e;
  // Missing.
  std::filesystem::remove(d / "data_batch_3.bin");
  e = error_of<IoError>([&] { io::read_cifar10(d.str(), true); });
  EXPECT_NE(e.find("no 'data_batch_3.bin'"), std::string::npos) << e;
  std::filesystem::remove(d / "test_batch.bin");
  e = error_of<IoError>([&] { io::read_cifar10(d.str(), false); });
  EXPECT_NE(e.find("test_batch.bin"), std::string::npos) << e;
}

TEST(CifarReader, BadArchivesGiveOneErrorNamingTheArchive) {
  TempDir d;
  const std::string path = d / "cifar-10-binary.tar.gz";
  auto batches = test::cifar_batches(2, 2);
  // Without data_batch_4.
  auto without = batches;
  without.erase(without.begin() + 3);
  test::write_tar_gz(path, without);
  std::string e = error_of<FormatError>([&] { io::read_cifar10(d.str(), true); });
  EXPECT_NE(e.find("cifar-10-binary.tar.gz' has no member 'data_batch_4.bin'"), std::string::npos)
      << e;
  // Truncated inside a member (the end blocks and part of test_batch.bin cut off).
  test::write_tar_gz(path, batches, 1024 + 1000);
  e = error_of<FormatError>([&] { io::read_cifar10(d.str(), false); });
  EXPECT_NE(e.find("truncated inside member 'test_batch.bin'"), std::string::npos) << e;
  // A bad label inside the archive names the member.
  batches[5].second = test::cifar_batch(2, 1, {200});
  test::write_tar_gz(path, batches);
  e = error_of<FormatError>([&] { io::read_cifar10(d.str(), false); });
  EXPECT_NE(e.find("member 'test_batch.bin': record 0 has label 200"), std::string::npos) << e;
  // Not a tar inside the gzip.
  {
    gzFile f = gzopen(path.c_str(), "wb");
    std::vector<char> junk(2048, 'j');
    gzwrite(f, junk.data(), static_cast<unsigned>(junk.size()));
    gzclose(f);
  }
  e = error_of<FormatError>([&] { io::read_cifar10(d.str(), true); });
  EXPECT_NE(e.find("is not a tar.gz archive"), std::string::npos) << e;
  // Not gzip at all / corrupt stream.
  test::write_tar_gz(path, batches);
  std::vector<std::uint8_t> gz;
  {
    std::ifstream f(path, std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  gz.resize(gz.size() / 2);
  test::write_bytes(path, gz);
  e = error_of<FormatError>([&] { io::read_cifar10(d.str(), false); });
  EXPECT_NE(e.find("cifar-10-binary.tar.gz'"), std::string::npos) << e;
}

TEST(DatasetClasses, LabelsBeyondTheClassesAndDisagreeingCountsAreErrors) {
  io::ImageSet train, test;
  train.labels = {0, 3, 9};
  test.labels = {1, 2};
  EXPECT_EQ(io::checked_class_count(train, test, "train", "test"), 10);
  test.labels = {1, 12};  // IDX: no declared count; test labels reach 12
  std::string e =
      error_of<FormatError>([&] { io::checked_class_count(train, test, "train", "test"); });
  EXPECT_NE(e.find("class counts disagree: train has 10 classes (labels 0..9), test has 13"),
            std::string::npos)
      << e;
  train.labels = {0, 25};
  test.labels = {3, 25};
  EXPECT_EQ(io::checked_class_count(train, test, "train", "test"), 26);  // EMNIST letters-like
  io::ImageSet c;
  c.declared_classes = 10;
  c.labels = {0, 1, 10};
  e = error_of<FormatError>([&] { io::checked_class_count(c, c, "cifar train", "cifar test"); });
  EXPECT_NE(e.find("cifar train: label 10 of image 2 is not below the format's 10 classes"),
            std::string::npos)
      << e;
}

}  // namespace
