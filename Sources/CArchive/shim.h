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
#endif
