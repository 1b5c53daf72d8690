#pragma once
#include <hdf5.h>

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
