#ifndef CNVML_H
#define CNVML_H

/*
 * The part of NVML's C ABI that Vigil uses: return codes, handles, struct layouts, enums and one
 * function-pointer type per signature. Written from the semantics of NVIDIA's public nvml.h; the
 * library itself (libnvidia-ml.so.1) is opened with dlopen at run time and its symbols resolved
 * with dlsym, so nothing here is linked and no NVIDIA header or library is needed to build.
 *
 * Layouts are pinned with _Static_assert below (and again from Swift with MemoryLayout in the tests):
 * a wrong size here would make NVML write past a Swift buffer.
 */

#include <stddef.h>

/* MARK: - Return codes */

typedef enum nvmlReturn_enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_ALREADY_INITIALIZED = 5,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_INSUFFICIENT_POWER = 8,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_TIMEOUT = 10,
    NVML_ERROR_IRQ_ISSUE = 11,
    NVML_ERROR_LIBRARY_NOT_FOUND = 12,
    NVML_ERROR_FUNCTION_NOT_FOUND = 13,
    NVML_ERROR_CORRUPTED_INFOROM = 14,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_RESET_REQUIRED = 16,
    NVML_ERROR_OPERATING_SYSTEM = 17,
    NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18,
    NVML_ERROR_IN_USE = 19,
    NVML_ERROR_MEMORY = 20,
    NVML_ERROR_NO_DATA = 21,
    NVML_ERROR_VGPU_ECC_NOT_SUPPORTED = 22,
    NVML_ERROR_INSUFFICIENT_RESOURCES = 23,
    NVML_ERROR_FREQ_NOT_SUPPORTED = 24,
    NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
    NVML_ERROR_DEPRECATED = 26,
    NVML_ERROR_NOT_READY = 27,
    NVML_ERROR_GPU_NOT_FOUND = 28,
    NVML_ERROR_INVALID_STATE = 29,
    NVML_ERROR_UNKNOWN = 999
} nvmlReturn_t;

/* MARK: - Handles */

/** A GPU, or a MIG device (a GPU instance + compute instance) of one. */
typedef struct nvmlDevice_st *nvmlDevice_t;
/** A set of devices registered for events. */
typedef struct nvmlEventSet_st *nvmlEventSet_t;

/* MARK: - Constants */

/** Some struct fields take this value (as the field's unsigned type) when it is not available. */
#define CNVML_VALUE_NOT_AVAILABLE_ULL 0xFFFFFFFFFFFFFFFFULL
/** gpuInstanceId / computeInstanceId when the GPU is not partitioned with MIG. */
#define CNVML_INVALID_INSTANCE_ID 0xFFFFFFFFU

#define CNVML_DEVICE_NAME_BUFFER_SIZE 96
#define CNVML_DEVICE_UUID_BUFFER_SIZE 96
#define CNVML_DEVICE_SERIAL_BUFFER_SIZE 30
#define CNVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE 32
#define CNVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
#define CNVML_NVLINK_MAX_LINKS 18

/** nvmlEventTypeXidCriticalError: an XID was raised; eventData holds its code (999 when unknown). */
#define CNVML_EVENT_TYPE_XID_CRITICAL_ERROR 0x0000000000000008ULL

/** Field ids of nvmlDeviceGetFieldValues. */
#define CNVML_FI_DEV_MEMORY_TEMP 82
/** NVLink data throughput counters in KiB since the driver loaded; scopeId is the link. */
#define CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX 138
#define CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX 139

/* MARK: - Enums */

typedef enum nvmlEnableState_enum {
    NVML_FEATURE_DISABLED = 0,
    NVML_FEATURE_ENABLED = 1
} nvmlEnableState_t;

typedef enum nvmlTemperatureSensors_enum {
    NVML_TEMPERATURE_GPU = 0
} nvmlTemperatureSensors_t;

typedef enum nvmlTemperatureThresholds_enum {
    NVML_TEMPERATURE_THRESHOLD_SHUTDOWN = 0,
    NVML_TEMPERATURE_THRESHOLD_SLOWDOWN = 1,
    NVML_TEMPERATURE_THRESHOLD_MEM_MAX = 2,
    NVML_TEMPERATURE_THRESHOLD_GPU_MAX = 3
} nvmlTemperatureThresholds_t;

typedef enum nvmlClockType_enum {
    NVML_CLOCK_GRAPHICS = 0,
    NVML_CLOCK_SM = 1,
    NVML_CLOCK_MEM = 2,
    NVML_CLOCK_VIDEO = 3
} nvmlClockType_t;

/** P0 (maximum performance) … P15 (minimum); 32 is unknown. */
typedef enum nvmlPStates_enum {
    NVML_PSTATE_0 = 0,
    NVML_PSTATE_15 = 15,
    NVML_PSTATE_UNKNOWN = 32
} nvmlPstates_t;

/** Corrected (single-bit for ECC) or uncorrected (double-bit). */
typedef enum nvmlMemoryErrorType_enum {
    NVML_MEMORY_ERROR_TYPE_CORRECTED = 0,
    NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1
} nvmlMemoryErrorType_t;

/** Volatile counts reset when the driver loads; aggregate counts last the device's lifetime. */
typedef enum nvmlEccCounterType_enum {
    NVML_VOLATILE_ECC = 0,
    NVML_AGGREGATE_ECC = 1
} nvmlEccCounterType_t;

typedef enum nvmlMemoryLocation_enum {
    NVML_MEMORY_LOCATION_L1_CACHE = 0,
    NVML_MEMORY_LOCATION_L2_CACHE = 1,
    NVML_MEMORY_LOCATION_DEVICE_MEMORY = 2,
    NVML_MEMORY_LOCATION_REGISTER_FILE = 3,
    NVML_MEMORY_LOCATION_TEXTURE_MEMORY = 4,
    NVML_MEMORY_LOCATION_TEXTURE_SHM = 5,
    NVML_MEMORY_LOCATION_CBU = 6,
    NVML_MEMORY_LOCATION_SRAM = 7
} nvmlMemoryLocation_t;

typedef enum nvmlPageRetirementCause_enum {
    NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS = 0,
    NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR = 1
} nvmlPageRetirementCause_t;

/** PCIe throughput counters, KB/s with 1 KB granularity. */
typedef enum nvmlPcieUtilCounter_enum {
    NVML_PCIE_UTIL_TX_BYTES = 0,
    NVML_PCIE_UTIL_RX_BYTES = 1
} nvmlPcieUtilCounter_t;

typedef enum nvmlNvLinkErrorCounter_enum {
    NVML_NVLINK_ERROR_DL_REPLAY = 0,
    NVML_NVLINK_ERROR_DL_RECOVERY = 1,
    NVML_NVLINK_ERROR_DL_CRC_FLIT = 2,
    NVML_NVLINK_ERROR_DL_CRC_DATA = 3,
    NVML_NVLINK_ERROR_DL_ECC_DATA = 4
} nvmlNvLinkErrorCounter_t;

typedef enum nvmlValueType_enum {
    NVML_VALUE_TYPE_DOUBLE = 0,
    NVML_VALUE_TYPE_UNSIGNED_INT = 1,
    NVML_VALUE_TYPE_UNSIGNED_LONG = 2,
    NVML_VALUE_TYPE_UNSIGNED_LONG_LONG = 3,
    NVML_VALUE_TYPE_SIGNED_LONG_LONG = 4,
    NVML_VALUE_TYPE_SIGNED_INT = 5,
    NVML_VALUE_TYPE_UNSIGNED_SHORT = 6
} nvmlValueType_t;

/* MARK: - Structs */

/** PCI location of a GPU; busId is "domain:bus:device.function", e.g. "00000000:17:00.0". */
typedef struct nvmlPciInfo_st {
    char busIdLegacy[16];
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned int pciDeviceId;
    unsigned int pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

typedef struct nvmlUtilization_st {
    unsigned int gpu;
    unsigned int memory;
} nvmlUtilization_t;

/** Frame-buffer memory in bytes (v1: used includes the driver's reservation). */
typedef struct nvmlMemory_st {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

/** Frame-buffer memory in bytes (v2: reserved reported on its own). version must be CNVML_MEMORY_V2_VERSION. */
typedef struct nvmlMemory_v2_st {
    unsigned int version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_v2_t;

/** NVML's struct version: the struct's size in the low bits, the version number in the top byte. */
#define CNVML_MEMORY_V2_VERSION 0x02000028U

/** A running process, for the unversioned nvmlDevice*RunningProcesses functions. */
typedef struct nvmlProcessInfo_v1_st {
    unsigned int pid;
    unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;

/** A running process, for the _v2 and _v3 nvmlDevice*RunningProcesses functions. */
typedef struct nvmlProcessInfo_st {
    unsigned int pid;
    /** Bytes, or CNVML_VALUE_NOT_AVAILABLE_ULL. */
    unsigned long long usedGpuMemory;
    /** CNVML_INVALID_INSTANCE_ID when MIG is off. */
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} nvmlProcessInfo_t;

/** One sample of a process's utilisation, percent; timeStamp is CPU time in microseconds. */
typedef struct nvmlProcessUtilizationSample_st {
    unsigned int pid;
    unsigned long long timeStamp;
    unsigned int smUtil;
    unsigned int memUtil;
    unsigned int encUtil;
    unsigned int decUtil;
} nvmlProcessUtilizationSample_t;

/** A device's (or MIG device's) resources. */
typedef struct nvmlDeviceAttributes_st {
    unsigned int multiprocessorCount;
    unsigned int sharedCopyEngineCount;
    unsigned int sharedDecoderCount;
    unsigned int sharedEncoderCount;
    unsigned int sharedJpegCount;
    unsigned int sharedOfaCount;
    unsigned int gpuInstanceSliceCount;
    unsigned int computeInstanceSliceCount;
    unsigned long long memorySizeMB;
} nvmlDeviceAttributes_t;

typedef struct nvmlEventData_st {
    nvmlDevice_t device;
    unsigned long long eventType;
    /** The XID code for nvmlEventTypeXidCriticalError. */
    unsigned long long eventData;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} nvmlEventData_t;

typedef union nvmlValue_st {
    double dVal;
    int siVal;
    unsigned int uiVal;
    unsigned long ulVal;
    unsigned long long ullVal;
    signed long long sllVal;
    unsigned short usVal;
} nvmlValue_t;

/** One field of nvmlDeviceGetFieldValues: fieldId and scopeId in, the rest out. */
typedef struct nvmlFieldValue_st {
    unsigned int fieldId;
    unsigned int scopeId;
    long long timestamp;
    long long latencyUsec;
    nvmlValueType_t valueType;
    nvmlReturn_t nvmlReturn;
    nvmlValue_t value;
} nvmlFieldValue_t;

_Static_assert(sizeof(nvmlReturn_t) == 4, "nvmlReturn_t is a 32-bit enum");
_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t layout");
_Static_assert(sizeof(nvmlUtilization_t) == 8, "nvmlUtilization_t layout");
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t layout");
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t layout");
_Static_assert((sizeof(nvmlMemory_v2_t) | (2U << 24)) == CNVML_MEMORY_V2_VERSION, "nvmlMemory_v2 version");
_Static_assert(sizeof(nvmlProcessInfo_v1_t) == 16, "nvmlProcessInfo_v1_t layout");
_Static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t layout");
_Static_assert(sizeof(nvmlProcessUtilizationSample_t) == 32, "nvmlProcessUtilizationSample_t layout");
_Static_assert(sizeof(nvmlDeviceAttributes_t) == 40, "nvmlDeviceAttributes_t layout");
_Static_assert(sizeof(nvmlEventData_t) == 32, "nvmlEventData_t layout");
_Static_assert(sizeof(nvmlValue_t) == 8, "nvmlValue_t layout");
_Static_assert(sizeof(nvmlFieldValue_t) == 40, "nvmlFieldValue_t layout");
_Static_assert(offsetof(nvmlFieldValue_t, value) == 32, "nvmlFieldValue_t.value offset");

/* MARK: - Function types (one per signature; the symbol versions that share a signature share a type) */

/* Library */
typedef nvmlReturn_t (*cnvml_init_fn)(void);                  /* nvmlInit_v2, nvmlInit */
typedef nvmlReturn_t (*cnvml_shutdown_fn)(void);              /* nvmlShutdown */
typedef const char *(*cnvml_error_string_fn)(nvmlReturn_t);   /* nvmlErrorString */
typedef nvmlReturn_t (*cnvml_get_string_fn)(char *, unsigned int); /* nvmlSystemGetDriverVersion */
typedef nvmlReturn_t (*cnvml_get_int_fn)(int *);              /* nvmlSystemGetCudaDriverVersion_v2, nvmlSystemGetCudaDriverVersion */

/* Devices */
typedef nvmlReturn_t (*cnvml_device_count_fn)(unsigned int *); /* nvmlDeviceGetCount_v2, nvmlDeviceGetCount */
typedef nvmlReturn_t (*cnvml_device_by_index_fn)(unsigned int, nvmlDevice_t *); /* nvmlDeviceGetHandleByIndex_v2 */
/* nvmlDeviceGetName, nvmlDeviceGetUUID, nvmlDeviceGetSerial, nvmlDeviceGetVbiosVersion */
typedef nvmlReturn_t (*cnvml_device_string_fn)(nvmlDevice_t, char *, unsigned int);
/* nvmlDeviceGetMinorNumber, nvmlDeviceGetPowerUsage, nvmlDeviceGetPowerManagementLimit, nvmlDeviceGetEnforcedPowerLimit,
   nvmlDeviceGetFanSpeed, nvmlDeviceGetCurrPcieLinkGeneration, …Width, nvmlDeviceGetMaxPcieLinkGeneration, …Width,
   nvmlDeviceGetPcieReplayCounter, nvmlDeviceGetMaxMigDeviceCount, nvmlDeviceGetGpuInstanceId, nvmlDeviceGetComputeInstanceId */
typedef nvmlReturn_t (*cnvml_device_uint_fn)(nvmlDevice_t, unsigned int *);
/* nvmlDeviceGetTotalEnergyConsumption, nvmlDeviceGetCurrentClocksEventReasons, nvmlDeviceGetCurrentClocksThrottleReasons */
typedef nvmlReturn_t (*cnvml_device_ull_fn)(nvmlDevice_t, unsigned long long *);
typedef nvmlReturn_t (*cnvml_device_pci_info_fn)(nvmlDevice_t, nvmlPciInfo_t *); /* nvmlDeviceGetPciInfo_v3, _v2 */
typedef nvmlReturn_t (*cnvml_device_mig_mode_fn)(nvmlDevice_t, unsigned int *, unsigned int *); /* nvmlDeviceGetMigMode */
typedef nvmlReturn_t (*cnvml_device_utilization_fn)(nvmlDevice_t, nvmlUtilization_t *); /* nvmlDeviceGetUtilizationRates */
/* nvmlDeviceGetEncoderUtilization, nvmlDeviceGetDecoderUtilization (utilization, samplingPeriodUs) */
typedef nvmlReturn_t (*cnvml_device_codec_utilization_fn)(nvmlDevice_t, unsigned int *, unsigned int *);
typedef nvmlReturn_t (*cnvml_device_memory_fn)(nvmlDevice_t, nvmlMemory_t *);       /* nvmlDeviceGetMemoryInfo */
typedef nvmlReturn_t (*cnvml_device_memory_v2_fn)(nvmlDevice_t, nvmlMemory_v2_t *); /* nvmlDeviceGetMemoryInfo_v2 */
/* nvmlDeviceGetClockInfo, nvmlDeviceGetMaxClockInfo */
typedef nvmlReturn_t (*cnvml_device_clock_fn)(nvmlDevice_t, nvmlClockType_t, unsigned int *);
typedef nvmlReturn_t (*cnvml_device_temperature_fn)(nvmlDevice_t, nvmlTemperatureSensors_t, unsigned int *);
typedef nvmlReturn_t (*cnvml_device_temperature_threshold_fn)(nvmlDevice_t, nvmlTemperatureThresholds_t, unsigned int *);
typedef nvmlReturn_t (*cnvml_device_pstate_fn)(nvmlDevice_t, nvmlPstates_t *); /* nvmlDeviceGetPerformanceState */
/* nvmlDeviceGetTotalEccErrors */
typedef nvmlReturn_t (*cnvml_device_total_ecc_fn)(nvmlDevice_t, nvmlMemoryErrorType_t, nvmlEccCounterType_t,
                                                  unsigned long long *);
/* nvmlDeviceGetRetiredPages (pageCount in/out; addresses may be NULL when *pageCount is 0) */
typedef nvmlReturn_t (*cnvml_device_retired_pages_fn)(nvmlDevice_t, nvmlPageRetirementCause_t, unsigned int *,
                                                      unsigned long long *);
/* nvmlDeviceGetRetiredPagesPendingStatus */
typedef nvmlReturn_t (*cnvml_device_enable_state_fn)(nvmlDevice_t, nvmlEnableState_t *);
/* nvmlDeviceGetRemappedRows (correctable, uncorrectable, isPending, failureOccurred) */
typedef nvmlReturn_t (*cnvml_device_remapped_rows_fn)(nvmlDevice_t, unsigned int *, unsigned int *, unsigned int *,
                                                      unsigned int *);
/* nvmlDeviceGetPcieThroughput */
typedef nvmlReturn_t (*cnvml_device_pcie_throughput_fn)(nvmlDevice_t, nvmlPcieUtilCounter_t, unsigned int *);
/* nvmlDeviceGetNvLinkState */
typedef nvmlReturn_t (*cnvml_device_nvlink_state_fn)(nvmlDevice_t, unsigned int, nvmlEnableState_t *);
/* nvmlDeviceGetNvLinkErrorCounter */
typedef nvmlReturn_t (*cnvml_device_nvlink_error_fn)(nvmlDevice_t, unsigned int, nvmlNvLinkErrorCounter_t,
                                                     unsigned long long *);
/* nvmlDeviceGetFieldValues */
typedef nvmlReturn_t (*cnvml_device_field_values_fn)(nvmlDevice_t, int, nvmlFieldValue_t *);
/* nvmlDeviceGetComputeRunningProcesses_v3/_v2, nvmlDeviceGetGraphicsRunningProcesses_v3/_v2 (infoCount in/out) */
typedef nvmlReturn_t (*cnvml_device_processes_fn)(nvmlDevice_t, unsigned int *, nvmlProcessInfo_t *);
/* nvmlDeviceGetComputeRunningProcesses, nvmlDeviceGetGraphicsRunningProcesses (the unversioned, v1 layout) */
typedef nvmlReturn_t (*cnvml_device_processes_v1_fn)(nvmlDevice_t, unsigned int *, nvmlProcessInfo_v1_t *);
/* nvmlDeviceGetProcessUtilization (samples may be NULL to size; lastSeenTimeStamp in microseconds) */
typedef nvmlReturn_t (*cnvml_device_process_utilization_fn)(nvmlDevice_t, nvmlProcessUtilizationSample_t *,
                                                            unsigned int *, unsigned long long);
/* nvmlDeviceGetMigDeviceHandleByIndex */
typedef nvmlReturn_t (*cnvml_device_mig_device_fn)(nvmlDevice_t, unsigned int, nvmlDevice_t *);
/* nvmlDeviceGetAttributes_v2 */
typedef nvmlReturn_t (*cnvml_device_attributes_fn)(nvmlDevice_t, nvmlDeviceAttributes_t *);

/* Events */
typedef nvmlReturn_t (*cnvml_event_set_create_fn)(nvmlEventSet_t *);                      /* nvmlEventSetCreate */
typedef nvmlReturn_t (*cnvml_event_set_free_fn)(nvmlEventSet_t);                          /* nvmlEventSetFree */
typedef nvmlReturn_t (*cnvml_register_events_fn)(nvmlDevice_t, unsigned long long, nvmlEventSet_t); /* nvmlDeviceRegisterEvents */
typedef nvmlReturn_t (*cnvml_event_set_wait_fn)(nvmlEventSet_t, nvmlEventData_t *, unsigned int); /* nvmlEventSetWait_v2 */

#endif
