// glibc's allocator tuning (mallopt and its M_* parameters); part of libc, nothing to link.
#include <malloc.h>
