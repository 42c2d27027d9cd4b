/* Whole files in memory: the readers parse a buffer (npy, checkpoint, CSV,
 * history) and the writers build one (npy, checkpoint, history), so the
 * open / grow / read / check loop and the safe replace each exist once.
 * The plot's outputs, which gnuplot writes, are replaced the same way
 * (tg_file_temp, then tg_file_replace). */
#ifndef TG_FILE_H
#define TG_FILE_H

#include <stddef.h>

#include "tensor/tensor.h"

/* Opens path for reading into *fd, refusing anything that is not a regular
 * file before a byte is read: a FIFO would block, a directory reads as an
 * error or as nothing. "<path>: cannot open: <reason>", "<path>: not a
 * regular file (a FIFO)" (a directory, a device, a socket). */
tg_status tg_file_open_regular(const char *path, int *fd);

/* The bytes of path in *buf (heap, free it; a NUL follows the last byte, so
 * text can be read as a string) and their count in *len. Data errors name
 * the path: those of tg_file_open_regular, "<path>: read error: <reason>". */
tg_status tg_read_file(const char *path, unsigned char **buf, size_t *len);

/* A new empty file beside path with a name no other process can hold,
 * "<path>.tmp-XXXXXX" (mkstemp), mode 0666 less the umask: its name in
 * *tmp (heap, free it) and an open descriptor in *fd. "<path>: cannot
 * create a temporary file beside it: <reason>". */
tg_status tg_file_temp(const char *path, char **tmp, int *fd);

/* Puts the finished file tmp in place of path: fsync, rename, then the
 * directory synced, so after a crash path is the old file or the whole new
 * one. On failure tmp is removed and path untouched: "<tmp>: write failed:
 * <reason>", "<path>: cannot rename <tmp> into place: <reason>". */
tg_status tg_file_replace(const char *tmp, const char *path);

/* Replaces path with the n bytes at bytes, safely: tg_file_temp, the bytes,
 * tg_file_replace. Two processes writing one path at once each write their
 * own temporary file; the last rename wins and neither fails. Errors are
 * those of the two, or "<tmp>: write failed: <reason>" (tmp then removed). */
tg_status tg_write_file(const char *path, const void *bytes, size_t n);

/* Text built in memory (a CSV, a script) to be written in one piece: b is
 * a NUL-terminated heap string of n bytes (free it); start from
 * {NULL, 0, 0}. */
typedef struct tg_text {
    char *b;
    size_t n, cap;
} tg_text;

/* Appends the formatted text, growing the buffer. */
void tg_text_put(tg_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether the paths a and b name one file: the same device and inode when
 * both exist, else the same resolved directory and last component (a file
 * about to be created), else the same text. Different spellings of one
 * file ("h.csv", "./h.csv", "d/../h.csv", a link to it) are the same. */
int tg_file_same(const char *a, const char *b);

#endif
