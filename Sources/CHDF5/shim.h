#pragma once
#include <hdf5.h>
#include <string.h>

// HDF5 exposes these as macros that expand to `(H5open(), X_g)`; Swift cannot import them.
static inline hid_t serlab_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t serlab_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t serlab_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t serlab_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t serlab_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t serlab_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t serlab_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t serlab_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t serlab_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t serlab_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t serlab_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t serlab_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t serlab_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline unsigned serlab_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned serlab_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned serlab_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned serlab_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline hsize_t serlab_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }

/// Turns off HDF5's own error printing to stderr; serlab reports errors itself.
static inline void serlab_H5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// `H5T_VARIABLE` is `((size_t)-1)`, a cast Swift does not import.
static inline size_t serlab_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline hid_t serlab_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }

static inline herr_t serlab__H5_collect_error(unsigned n, const H5E_error2_t *error, void *data) {
    char *buffer = (char *)data;
    size_t used = strlen(buffer);
    const size_t capacity = 1024;
    if (error->desc == NULL || error->desc[0] == 0 || used + 3 >= capacity) return 0;
    if (used > 0) { strncat(buffer, "; ", capacity - used - 1); used += 2; }
    strncat(buffer, error->func_name ? error->func_name : "?", capacity - used - 1);
    used = strlen(buffer);
    if (used + 3 < capacity) { strncat(buffer, ": ", capacity - used - 1); used += 2; }
    strncat(buffer, error->desc, capacity - used - 1);
    (void)n;
    return 0;
}

/// Copies HDF5's current error stack ("H5Fopen: unable to open file; H5FD_open: ...", API call first)
/// into `buffer` (at least 1024 bytes) and clears the stack. Returns 0.
static inline int serlab_H5_take_error_stack(char *buffer) {
    buffer[0] = 0;
    hid_t stack = H5Eget_current_stack();
    if (stack < 0) return 0;
    H5Ewalk2(stack, H5E_WALK_DOWNWARD, serlab__H5_collect_error, buffer);
    H5Eclose_stack(stack);
    return 0;
}
