/* NVML is loaded at run time with dlopen (see VigilGPU's NVMLLibrary); this target only declares its ABI.
   Compiling the header here checks its _Static_asserts. */
#include "cnvml.h"
