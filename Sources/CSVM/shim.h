#pragma once
// Debian's libsvm-dev ships no pkg-config file: the header is <libsvm/svm.h>, the library -lsvm.
#include <libsvm/svm.h>
#include <stdlib.h>
