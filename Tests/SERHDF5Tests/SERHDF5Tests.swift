// The SERHDF5Tests target: its tests live beside this file.
