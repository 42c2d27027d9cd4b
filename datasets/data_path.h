/* Where the real data sets are. Debian packages them as
 *   dataset-fashion-mnist   /usr/share/datasets/fashion-mnist/ (IDX, gzip)
 *   python3-vega-datasets   /usr/lib/python3/dist-packages/vega_datasets/_data/ (CSV)
 * and `make data` unpacks the same packages (apt-get download + dpkg-deb -x)
 * under the project's data/ directory, keeping those paths. */
#ifndef TG_DATA_PATH_H
#define TG_DATA_PATH_H

#include <stddef.h>

#include "tensor/error.h"

typedef enum tg_data_source { TG_DATA_FASHION_MNIST, TG_DATA_VEGA } tg_data_source;

/* The code of tg_data_find's status when the file is in none of the places
 * it looked: the data is not installed, and a caller may fall back to other
 * data by testing the code, not the wording of the message. */
#define TG_DATA_NOT_FOUND 2

/* Finds the file `name` of a source and writes its path into path[len].
 * With dir (a directory the user named): dir/name, then dir/<installed
 * path>/name (dir may be where `make data` unpacked), and nowhere else.
 * Without dir: data/<installed path>/name, then the installed path. A file
 * `x.gz` is also found unpacked, as `x`. The error lists where it looked;
 * its code is TG_DATA_NOT_FOUND. */
tg_status tg_data_find(tg_data_source source, const char *name, const char *dir, char *path,
                       size_t len);

#endif
