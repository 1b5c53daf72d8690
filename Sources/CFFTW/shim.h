#pragma once
#include <fftw3.h>

/// From libfftw3f_threads: makes plan creation safe to call from several threads at once.
void fftwf_make_planner_thread_safe(void);
