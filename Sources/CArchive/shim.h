#ifndef CHARON_CARCHIVE_SHIM_H
#define CHARON_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/// copy_file_range(2) without _GNU_SOURCE: an in-kernel copy between two files (reflink where the
/// filesystem can). Swift's Glibc module does not export the glibc wrapper.
static inline long charon_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len) {
    return syscall(SYS_copy_file_range, fd_in, off_in, fd_out, off_out, len, 0u);
}

/// sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE): starts writeback of the dirty pages
/// in the range without waiting for it (the glibc wrapper needs _GNU_SOURCE, like the one above).
/// A later fdatasync then finds those pages written or in flight instead of all still dirty.
static inline int charon_start_writeback(int fd, int64_t offset, int64_t count) {
    return (int)syscall(SYS_sync_file_range, fd, offset, count, 2u /* SYNC_FILE_RANGE_WRITE */);
}
#endif
