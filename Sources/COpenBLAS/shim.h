#pragma once
#include <cblas.h>

/// Declared by OpenBLAS's cblas.h; restated here so the shim documents what serlab relies on.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
