/* tg_app_run: what `tapegrad train` runs. Everything the options and the
 * files can get wrong is refused first (app_checks.c), then the task runs
 * (series_app.c, images_app.c, frames.c, next_frame.c) with the steps they share
 * (app_steps.c). */
#include "apps/apps.h"

#include <string.h>

#include "apps/internal/app_steps.h"
#include "kernels/kernels.h"

tg_app_opts tg_app_defaults(void)
{
    tg_app_opts o;
    memset(&o, 0, sizeof o);
    o.epochs = 5;
    o.batch_size = 32;
    o.optimizer = "adam";
    o.seed = 42;
    return o;
}

tg_status tg_app_run(const tg_app_opts *o, tg_app_result *result)
{
    FILE *out = o->out ? o->out : stdout;
    tg_app_result r;
    memset(&r, 0, sizeof r);
    tg_status st = tg_app_check_options(o);
    if (tg_is_ok(&st))
        st = tg_app_check_files(o);
    if (tg_is_ok(&st)) {
        if (o->threads > 0)
            tg_set_threads(o->threads);
        st = o->task == TG_APP_NEXT_FRAME ? tg_app_run_next_frame(o, &r, out)
             : o->task == TG_APP_FRAMES   ? tg_app_run_frames(o, &r, out)
             : o->task == TG_APP_IMAGES ? tg_app_run_images(o, &r, out)
                                        : tg_app_run_series(o, &r, out);
    }
    if (result)
        *result = r;
    return st;
}

