/*
 * A fake libnvidia-ml.so for VigilGPU's NVML tests: two GPUs with fixed, distinct values for every field
 * Vigil reads, so the backend can be checked end to end through dlopen/dlsym on machines without a GPU.
 * The values are listed in NVMLBackendTests.swift beside the expectations that pin them.
 *
 *   GPU 0  "NVIDIA H100 80GB HBM3"  every field answered, 18 NVLink links, compute + graphics processes.
 *   GPU 1  "NVIDIA A100-SXM4-40GB"  MIG on with two MIG devices; NOT_SUPPORTED for fan, ECC, retired pages,
 *                                   NVLink, encoder, memory temperature, PCIe replays, process utilisation.
 *
 * Events: each event set yields XID 79 on GPU 1, then XID 48 on GPU 0, then whatever fake_nvml_push_xid
 * queued, then times out after the caller's timeout.
 *
 * Build variants (tests compile each with `cc -shared -fPIC -I<CNVML include>`):
 *   (none)                 a current driver.
 *   -DFAKE_NVML_OLD        an old driver: no nvmlDeviceGetMemoryInfo_v2, nvmlDeviceGetPciInfo_v3,
 *                          nvml*RunningProcesses_v3/_v2 (only the unversioned v1 layout),
 *                          nvmlDeviceGetCurrentClocksEventReasons, nvmlSystemGetCudaDriverVersion_v2,
 *                          nvmlEventSetWait_v2; the fallbacks are exercised.
 *   -DFAKE_NVML_NO_INIT_V2 no nvmlInit_v2 at all (a driver too old to use).
 *
 * Test controls (exported, looked up with dlsym by the tests; not NVML functions):
 *   fake_nvml_set_lost(index, mode)     0 healthy, 1 measurements answer GPU_IS_LOST (identity still
 *                                       answers, as the driver caches it), 2 everything incl. the handle.
 *   fake_nvml_push_xid(index, code)     queue one more XID event.
 *   fake_nvml_refuse_events(refuse)     nvmlDeviceRegisterEvents answers NOT_SUPPORTED.
 *   fake_nvml_fail_all(code)            every per-device call and nvmlEventSetWait_v2 answer `code` (0: stop).
 *   fake_nvml_fail_count(code)          nvmlDeviceGetCount_v2 answers `code` (0: stop).
 *   fake_nvml_init_count()              nvmlInit_v2 calls not yet matched by nvmlShutdown.
 * The environment variable FAKE_NVML_SCENARIO=lost, read at nvmlInit_v2, sets GPU 1 to mode 1 (for trying
 * the fake by hand; the tests use fake_nvml_set_lost, since the environment is shared by parallel tests).
 */

#include "cnvml.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define GIB 1073741824ULL
#define MIB 1048576ULL

typedef struct fake_device {
    int index; /* GPU index; for a MIG device its parent's */
    int is_mig;
    unsigned int gpu_instance, compute_instance;
    const char *uuid;
    unsigned long long mem_total, mem_reserved, mem_free, mem_used;
    unsigned int multiprocessors;
} fake_device;

static fake_device gpus[2] = {
    {0, 0, 0, 0, "GPU-11111111-2222-3333-4444-555555555555", 85520809984ULL, 584974336ULL, 10000000000ULL,
     74935835648ULL, 132},
    {1, 0, 0, 0, "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", 42949672960ULL, 500000000ULL, 40000000000ULL,
     2449672960ULL, 108},
};

static fake_device migs[2] = {
    {1, 1, 1, 0, "MIG-11111111-aaaa-bbbb-cccc-000000000001", 10200547328ULL, 0, 10187440128ULL, 13107200ULL, 14},
    {1, 1, 2, 0, "MIG-22222222-aaaa-bbbb-cccc-000000000002", 20401094656ULL, 0, 20374880256ULL, 26214400ULL, 28},
};

/* MARK: - State shared with the test controls */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int lost_mode[2];
static int init_count;
static int refuse_events;
static int fail_all_code;
static int fail_count_code;
static struct {
    int index;
    unsigned long long code;
} queued[64];
static int queued_count;

EXPORT void fake_nvml_set_lost(unsigned int index, int mode) {
    pthread_mutex_lock(&lock);
    if (index < 2) lost_mode[index] = mode;
    pthread_mutex_unlock(&lock);
}

EXPORT void fake_nvml_push_xid(unsigned int index, unsigned long long code) {
    pthread_mutex_lock(&lock);
    if (queued_count < 64 && index < 2) {
        queued[queued_count].index = (int)index;
        queued[queued_count].code = code;
        queued_count++;
    }
    pthread_mutex_unlock(&lock);
}

EXPORT void fake_nvml_refuse_events(int refuse) {
    pthread_mutex_lock(&lock);
    refuse_events = refuse;
    pthread_mutex_unlock(&lock);
}

EXPORT void fake_nvml_fail_all(int code) {
    pthread_mutex_lock(&lock);
    fail_all_code = code;
    pthread_mutex_unlock(&lock);
}

EXPORT void fake_nvml_fail_count(int code) {
    pthread_mutex_lock(&lock);
    fail_count_code = code;
    pthread_mutex_unlock(&lock);
}

static int failing(int *code) {
    pthread_mutex_lock(&lock);
    int value = *code;
    pthread_mutex_unlock(&lock);
    return value;
}

EXPORT int fake_nvml_init_count(void) {
    pthread_mutex_lock(&lock);
    int count = init_count;
    pthread_mutex_unlock(&lock);
    return count;
}

static int lost(int index) {
    pthread_mutex_lock(&lock);
    int mode = lost_mode[index];
    pthread_mutex_unlock(&lock);
    return mode;
}

static int initialized(void) { return fake_nvml_init_count() > 0; }

/* MARK: - Argument checks */

static fake_device *as_fake(nvmlDevice_t device) {
    fake_device *fake = (fake_device *)device;
    if (fake == &gpus[0] || fake == &gpus[1] || fake == &migs[0] || fake == &migs[1]) return fake;
    return NULL;
}

/* Validates the call and the handle; fake_device *d is in scope after it. Measurements are lost in mode >= 1. */
#define MEASURE(device, out)                                              \
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;                  \
    if (failing(&fail_all_code)) return (nvmlReturn_t)failing(&fail_all_code); \
    fake_device *d = as_fake(device);                                     \
    if (d == NULL || (out) == NULL) return NVML_ERROR_INVALID_ARGUMENT;   \
    if (lost(d->index) >= 1) return NVML_ERROR_GPU_IS_LOST;

/* As MEASURE, but identity (cached by the driver) is lost only in mode 2. */
#define IDENTIFY(device, out)                                             \
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;                  \
    if (failing(&fail_all_code)) return (nvmlReturn_t)failing(&fail_all_code); \
    fake_device *d = as_fake(device);                                     \
    if (d == NULL || (out) == NULL) return NVML_ERROR_INVALID_ARGUMENT;   \
    if (lost(d->index) >= 2) return NVML_ERROR_GPU_IS_LOST;

static nvmlReturn_t copy_string(const char *value, char *buffer, unsigned int length) {
    if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buffer, value);
    return NVML_SUCCESS;
}

/* MARK: - Library */

#ifndef FAKE_NVML_NO_INIT_V2
EXPORT nvmlReturn_t nvmlInit_v2(void) {
    const char *scenario = getenv("FAKE_NVML_SCENARIO");
    pthread_mutex_lock(&lock);
    init_count++;
    if (scenario != NULL && strcmp(scenario, "lost") == 0) lost_mode[1] = 1;
    pthread_mutex_unlock(&lock);
    return NVML_SUCCESS;
}
#endif

/* The first NVML API; present in every driver, and the only init of the NO_INIT_V2 variant. */
EXPORT nvmlReturn_t nvmlInit(void) {
    pthread_mutex_lock(&lock);
    init_count++;
    pthread_mutex_unlock(&lock);
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlShutdown(void) {
    pthread_mutex_lock(&lock);
    nvmlReturn_t status = init_count > 0 ? NVML_SUCCESS : NVML_ERROR_UNINITIALIZED;
    if (init_count > 0) init_count--;
    pthread_mutex_unlock(&lock);
    return status;
}

EXPORT const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
    }
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;
    return copy_string("550.54.15", version, length);
}

#ifndef FAKE_NVML_OLD
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version) {
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;
    *version = 12040;
    return NVML_SUCCESS;
}
#endif

EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *version) {
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;
    *version = 11080;
    return NVML_SUCCESS;
}

/* MARK: - Devices and identity */

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;
    if (failing(&fail_count_code)) return (nvmlReturn_t)failing(&fail_count_code);
    *count = 2;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;
    if (index >= 2 || device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (lost((int)index) >= 2) return NVML_ERROR_GPU_IS_LOST;
    *device = (nvmlDevice_t)&gpus[index];
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    IDENTIFY(device, name);
    return copy_string(d->index == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA A100-SXM4-40GB", name, length);
}

EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    IDENTIFY(device, uuid);
    return copy_string(d->uuid, uuid, length);
}

EXPORT nvmlReturn_t nvmlDeviceGetSerial(nvmlDevice_t device, char *serial, unsigned int length) {
    IDENTIFY(device, serial);
    return copy_string(d->index == 0 ? "1650123456789" : "1320987654321", serial, length);
}

EXPORT nvmlReturn_t nvmlDeviceGetVbiosVersion(nvmlDevice_t device, char *version, unsigned int length) {
    IDENTIFY(device, version);
    return copy_string(d->index == 0 ? "96.00.74.00.0D" : "92.00.45.00.06", version, length);
}

static nvmlReturn_t pci_info(nvmlDevice_t device, nvmlPciInfo_t *pci) {
    IDENTIFY(device, pci);
    memset(pci, 0, sizeof *pci);
    pci->domain = 0;
    pci->bus = d->index == 0 ? 0x17 : 0xCA;
    pci->device = 0;
    pci->pciDeviceId = d->index == 0 ? 0x233010DE : 0x20B010DE;
    pci->pciSubSystemId = d->index == 0 ? 0x16C110DE : 0x134F10DE;
    strcpy(pci->busIdLegacy, d->index == 0 ? "0000:17:00.0" : "0000:CA:00.0");
    strcpy(pci->busId, d->index == 0 ? "00000000:17:00.0" : "00000000:CA:00.0");
    return NVML_SUCCESS;
}

#ifndef FAKE_NVML_OLD
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) { return pci_info(device, pci); }
#endif
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v2(nvmlDevice_t device, nvmlPciInfo_t *pci) { return pci_info(device, pci); }

EXPORT nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int *minor) {
    IDENTIFY(device, minor);
    *minor = d->index == 0 ? 2 : 3;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *current, unsigned int *pending) {
    IDENTIFY(device, current);
    if (pending == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *current = d->index == 0 ? 0 : 1;
    *pending = *current;
    return NVML_SUCCESS;
}

/* MARK: - Utilisation, memory, clocks */

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
    MEASURE(device, utilization);
    utilization->gpu = d->index == 0 ? 87 : 12;
    utilization->memory = d->index == 0 ? 45 : 3;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                                    unsigned int *period) {
    MEASURE(device, utilization);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    *utilization = 3;
    *period = 167000;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                                    unsigned int *period) {
    MEASURE(device, utilization);
    *utilization = d->index == 0 ? 5 : 0;
    *period = 167000;
    return NVML_SUCCESS;
}

#ifndef FAKE_NVML_OLD
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
    MEASURE(device, memory);
    if (memory->version != CNVML_MEMORY_V2_VERSION) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    memory->total = d->mem_total;
    memory->reserved = d->mem_reserved;
    memory->free = d->mem_free;
    memory->used = d->mem_used;
    return NVML_SUCCESS;
}
#endif

/* v1: used includes the reservation. */
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    MEASURE(device, memory);
    memory->total = d->mem_total;
    memory->free = d->mem_free;
    memory->used = d->mem_used + d->mem_reserved;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock) {
    MEASURE(device, clock);
    static const unsigned int values[2][4] = {{1755, 1740, 2619, 1530}, {1410, 1395, 1215, 1275}};
    if ((unsigned int)type > 3) return NVML_ERROR_INVALID_ARGUMENT;
    *clock = values[d->index][type];
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock) {
    MEASURE(device, clock);
    static const unsigned int values[2][4] = {{1980, 1980, 2619, 1965}, {1410, 1410, 1215, 1410}};
    if ((unsigned int)type > 3) return NVML_ERROR_INVALID_ARGUMENT;
    *clock = values[d->index][type];
    return NVML_SUCCESS;
}

/* MARK: - Thermal, power, performance */

EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensor,
                                             unsigned int *temperature) {
    MEASURE(device, temperature);
    if (sensor != NVML_TEMPERATURE_GPU) return NVML_ERROR_INVALID_ARGUMENT;
    *temperature = d->index == 0 ? 64 : 33;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetTemperatureThreshold(nvmlDevice_t device, nvmlTemperatureThresholds_t threshold,
                                                      unsigned int *temperature) {
    MEASURE(device, temperature);
    switch (threshold) {
    case NVML_TEMPERATURE_THRESHOLD_SHUTDOWN: *temperature = d->index == 0 ? 92 : 90; return NVML_SUCCESS;
    case NVML_TEMPERATURE_THRESHOLD_SLOWDOWN: *temperature = d->index == 0 ? 89 : 87; return NVML_SUCCESS;
    default: return NVML_ERROR_NOT_SUPPORTED;
    }
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *milliwatts) {
    MEASURE(device, milliwatts);
    *milliwatts = d->index == 0 ? 612345 : 71234;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *milliwatts) {
    MEASURE(device, milliwatts);
    *milliwatts = d->index == 0 ? 700000 : 400000;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *milliwatts) {
    MEASURE(device, milliwatts);
    *milliwatts = d->index == 0 ? 690000 : 350000;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *millijoules) {
    MEASURE(device, millijoules);
    *millijoules = d->index == 0 ? 123456789012ULL : 98765432ULL;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t device, unsigned int *speed) {
    MEASURE(device, speed);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    *speed = 42;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetPerformanceState(nvmlDevice_t device, nvmlPstates_t *state) {
    MEASURE(device, state);
    *state = (nvmlPstates_t)(d->index == 0 ? 0 : 2);
    return NVML_SUCCESS;
}

static nvmlReturn_t clock_reasons(nvmlDevice_t device, unsigned long long *reasons) {
    MEASURE(device, reasons);
    *reasons = d->index == 0 ? 0x44ULL /* sw power cap, hw thermal slowdown */ : 0x1ULL /* idle */;
    return NVML_SUCCESS;
}

#ifndef FAKE_NVML_OLD
EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, unsigned long long *reasons) {
    return clock_reasons(device, reasons);
}
#endif
EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, unsigned long long *reasons) {
    return clock_reasons(device, reasons);
}

EXPORT nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int count, nvmlFieldValue_t *values) {
    MEASURE(device, values);
    for (int i = 0; i < count; i++) {
        nvmlFieldValue_t *field = &values[i];
        field->timestamp = 1700000000000000LL;
        field->latencyUsec = 0;
        field->nvmlReturn = NVML_ERROR_NOT_SUPPORTED;
        if (field->fieldId == CNVML_FI_DEV_MEMORY_TEMP && d->index == 0) {
            field->valueType = NVML_VALUE_TYPE_UNSIGNED_INT;
            field->value.uiVal = 71;
            field->nvmlReturn = NVML_SUCCESS;
        } else if ((field->fieldId == CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX ||
                    field->fieldId == CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX) &&
                   d->index == 0 && field->scopeId < CNVML_NVLINK_MAX_LINKS) {
            unsigned long long scale = field->fieldId == CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX ? 1000 : 2000;
            field->valueType = NVML_VALUE_TYPE_UNSIGNED_LONG_LONG;
            field->value.ullVal = scale * (field->scopeId + 1); /* KiB */
            field->nvmlReturn = NVML_SUCCESS;
        }
    }
    return NVML_SUCCESS;
}

/* MARK: - Memory health */

EXPORT nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, nvmlMemoryErrorType_t type,
                                                nvmlEccCounterType_t counter, unsigned long long *count) {
    MEASURE(device, count);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    static const unsigned long long values[2][2] = {{7, 1}, {1234, 2}}; /* [counter][type] */
    *count = values[counter][type];
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPages(nvmlDevice_t device, nvmlPageRetirementCause_t cause,
                                              unsigned int *count, unsigned long long *addresses) {
    MEASURE(device, count);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    unsigned int retired = cause == NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS ? 3 : 1;
    if (*count < retired || addresses == NULL) {
        *count = retired;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (unsigned int i = 0; i < retired; i++) addresses[i] = 0x1000ULL * (i + 1);
    *count = retired;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t device, nvmlEnableState_t *pending) {
    MEASURE(device, pending);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    *pending = NVML_FEATURE_ENABLED;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t device, unsigned int *correctable,
                                              unsigned int *uncorrectable, unsigned int *pending,
                                              unsigned int *failure) {
    MEASURE(device, correctable);
    *correctable = d->index == 0 ? 5 : 0;
    *uncorrectable = d->index == 0 ? 1 : 0;
    *pending = d->index == 0 ? 1 : 0;
    *failure = 0;
    return NVML_SUCCESS;
}

/* MARK: - PCIe and NVLink */

#define PCIE_UINT(function, gpu0, gpu1)                                \
    EXPORT nvmlReturn_t function(nvmlDevice_t device, unsigned int *value) { \
        MEASURE(device, value);                                       \
        *value = d->index == 0 ? (gpu0) : (gpu1);                     \
        return NVML_SUCCESS;                                          \
    }
PCIE_UINT(nvmlDeviceGetCurrPcieLinkGeneration, 5, 3)
PCIE_UINT(nvmlDeviceGetMaxPcieLinkGeneration, 5, 4)
PCIE_UINT(nvmlDeviceGetCurrPcieLinkWidth, 16, 8)
PCIE_UINT(nvmlDeviceGetMaxPcieLinkWidth, 16, 16)

EXPORT nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, nvmlPcieUtilCounter_t counter,
                                                unsigned int *value) {
    MEASURE(device, value);
    if (counter == NVML_PCIE_UTIL_TX_BYTES) *value = d->index == 0 ? 12345 : 100;
    else *value = d->index == 0 ? 54321 : 200;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetPcieReplayCounter(nvmlDevice_t device, unsigned int *value) {
    MEASURE(device, value);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    *value = 17;
    return NVML_SUCCESS;
}

/* GPU 0: links 0-16 active, 17 inactive. */
EXPORT nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, nvmlEnableState_t *active) {
    MEASURE(device, active);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    if (link >= CNVML_NVLINK_MAX_LINKS) return NVML_ERROR_INVALID_ARGUMENT;
    *active = link == 17 ? NVML_FEATURE_DISABLED : NVML_FEATURE_ENABLED;
    return NVML_SUCCESS;
}

/* CRC flit link*10+1, replay link*10+2, recovery link*10+3 (NOT_SUPPORTED on link 5). */
EXPORT nvmlReturn_t nvmlDeviceGetNvLinkErrorCounter(nvmlDevice_t device, unsigned int link,
                                                    nvmlNvLinkErrorCounter_t counter, unsigned long long *value) {
    MEASURE(device, value);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    if (link >= CNVML_NVLINK_MAX_LINKS) return NVML_ERROR_INVALID_ARGUMENT;
    switch (counter) {
    case NVML_NVLINK_ERROR_DL_CRC_FLIT: *value = link * 10 + 1; return NVML_SUCCESS;
    case NVML_NVLINK_ERROR_DL_REPLAY: *value = link * 10 + 2; return NVML_SUCCESS;
    case NVML_NVLINK_ERROR_DL_RECOVERY:
        if (link == 5) return NVML_ERROR_NOT_SUPPORTED;
        *value = link * 10 + 3;
        return NVML_SUCCESS;
    default: return NVML_ERROR_NOT_SUPPORTED;
    }
}

/* MARK: - Processes */

typedef struct fake_process {
    unsigned int pid;
    unsigned long long memory;
    unsigned int gpu_instance;
} fake_process;

/* GPU 0: 4242 (also graphics), 4343 (memory not available); graphics 5151. GPU 1 (MIG): 6001 on GI 1, 6002 on GI 2. */
static const fake_process gpu0_compute[] = {{4242, 40 * GIB, CNVML_INVALID_INSTANCE_ID},
                                            {4343, CNVML_VALUE_NOT_AVAILABLE_ULL, CNVML_INVALID_INSTANCE_ID}};
static const fake_process gpu0_graphics[] = {{4242, 40 * GIB, CNVML_INVALID_INSTANCE_ID},
                                             {5151, 100 * MIB, CNVML_INVALID_INSTANCE_ID}};
static const fake_process gpu1_compute[] = {{6001, 1 * GIB, 1}, {6002, 2 * GIB, 2}};

static void process_list(fake_device *d, int compute, const fake_process **list, unsigned int *n) {
    if (d->index == 0) {
        *list = compute ? gpu0_compute : gpu0_graphics;
        *n = 2;
    } else {
        *list = gpu1_compute;
        *n = compute ? 2 : 0;
    }
}

#ifndef FAKE_NVML_OLD
static nvmlReturn_t processes(nvmlDevice_t device, int compute, unsigned int *count, nvmlProcessInfo_t *infos) {
    MEASURE(device, count);
    const fake_process *list;
    unsigned int n;
    process_list(d, compute, &list, &n);
    if (*count < n || (n > 0 && infos == NULL)) {
        *count = n;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (unsigned int i = 0; i < n; i++) {
        infos[i].pid = list[i].pid;
        infos[i].usedGpuMemory = list[i].memory;
        infos[i].gpuInstanceId = list[i].gpu_instance;
        infos[i].computeInstanceId = list[i].gpu_instance == CNVML_INVALID_INSTANCE_ID ? CNVML_INVALID_INSTANCE_ID : 0;
    }
    *count = n;
    return NVML_SUCCESS;
}
#endif

static nvmlReturn_t processes_v1(nvmlDevice_t device, int compute, unsigned int *count, nvmlProcessInfo_v1_t *infos) {
    MEASURE(device, count);
    const fake_process *list;
    unsigned int n;
    process_list(d, compute, &list, &n);
    if (*count < n || (n > 0 && infos == NULL)) {
        *count = n;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (unsigned int i = 0; i < n; i++) {
        infos[i].pid = list[i].pid;
        infos[i].usedGpuMemory = list[i].memory;
    }
    *count = n;
    return NVML_SUCCESS;
}

#ifndef FAKE_NVML_OLD
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *count,
                                                            nvmlProcessInfo_t *infos) {
    return processes(device, 1, count, infos);
}
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *count,
                                                            nvmlProcessInfo_t *infos) {
    return processes(device, 1, count, infos);
}
EXPORT nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t device, unsigned int *count,
                                                             nvmlProcessInfo_t *infos) {
    return processes(device, 0, count, infos);
}
EXPORT nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v2(nvmlDevice_t device, unsigned int *count,
                                                             nvmlProcessInfo_t *infos) {
    return processes(device, 0, count, infos);
}
#endif
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *count,
                                                         nvmlProcessInfo_v1_t *infos) {
    return processes_v1(device, 1, count, infos);
}
EXPORT nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses(nvmlDevice_t device, unsigned int *count,
                                                          nvmlProcessInfo_v1_t *infos) {
    return processes_v1(device, 0, count, infos);
}

/* GPU 0: 4242 sampled twice (50 then 75: the latest counts), 4343 once (20); 5151 never. */
EXPORT nvmlReturn_t nvmlDeviceGetProcessUtilization(nvmlDevice_t device, nvmlProcessUtilizationSample_t *samples,
                                                    unsigned int *count, unsigned long long lastSeen) {
    (void)lastSeen;
    MEASURE(device, count);
    if (d->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    static const nvmlProcessUtilizationSample_t gpu0[] = {
        {4242, 1700000000000000ULL, 50, 10, 0, 0},
        {4343, 1700000000500000ULL, 20, 5, 0, 0},
        {4242, 1700000001000000ULL, 75, 30, 0, 0},
    };
    unsigned int n = 3;
    if (samples == NULL || *count < n) {
        *count = n;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    memcpy(samples, gpu0, sizeof gpu0);
    *count = n;
    return NVML_SUCCESS;
}

/* MARK: - MIG */

EXPORT nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
    MEASURE(device, count);
    if (d->index == 0) return NVML_ERROR_NOT_SUPPORTED;
    *count = 7;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                        nvmlDevice_t *mig) {
    MEASURE(device, mig);
    if (d->index == 0 || d->is_mig) return NVML_ERROR_NOT_SUPPORTED;
    if (index >= 7) return NVML_ERROR_INVALID_ARGUMENT;
    if (index >= 2) return NVML_ERROR_NOT_FOUND;
    *mig = (nvmlDevice_t)&migs[index];
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
    MEASURE(device, id);
    if (!d->is_mig) return NVML_ERROR_NOT_SUPPORTED;
    *id = d->gpu_instance;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
    MEASURE(device, id);
    if (!d->is_mig) return NVML_ERROR_NOT_SUPPORTED;
    *id = d->compute_instance;
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetAttributes_v2(nvmlDevice_t device, nvmlDeviceAttributes_t *attributes) {
    MEASURE(device, attributes);
    memset(attributes, 0, sizeof *attributes);
    attributes->multiprocessorCount = d->multiprocessors;
    attributes->memorySizeMB = d->mem_total / MIB;
    return NVML_SUCCESS;
}

/* MARK: - Events */

struct nvmlEventSet_st {
    int next; /* position in the script */
    unsigned long long registered[2];
};

EXPORT nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;
    if (set == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *set = calloc(1, sizeof(struct nvmlEventSet_st));
    return *set ? NVML_SUCCESS : NVML_ERROR_MEMORY;
}

EXPORT nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
    if (set == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    free(set);
    return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long types, nvmlEventSet_t set) {
    MEASURE(device, set);
    pthread_mutex_lock(&lock);
    int refuse = refuse_events;
    pthread_mutex_unlock(&lock);
    if (refuse || d->is_mig) return NVML_ERROR_NOT_SUPPORTED;
    set->registered[d->index] |= types;
    return NVML_SUCCESS;
}

#ifndef FAKE_NVML_OLD
EXPORT nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutMs) {
    if (!initialized()) return NVML_ERROR_UNINITIALIZED;
    if (set == NULL || data == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (failing(&fail_all_code)) return (nvmlReturn_t)failing(&fail_all_code); /* at once: the caller must not spin */
    int index = -1;
    unsigned long long code = 0;
    if (set->next == 0) {
        index = 1, code = 79;
        set->next++;
    } else if (set->next == 1) {
        index = 0, code = 48;
        set->next++;
    } else {
        pthread_mutex_lock(&lock);
        if (queued_count > 0) {
            index = queued[0].index, code = queued[0].code;
            memmove(&queued[0], &queued[1], sizeof queued[0] * (size_t)(queued_count - 1));
            queued_count--;
        }
        pthread_mutex_unlock(&lock);
    }
    if (index < 0 || !(set->registered[index] & CNVML_EVENT_TYPE_XID_CRITICAL_ERROR)) {
        usleep(timeoutMs * 1000);
        return NVML_ERROR_TIMEOUT;
    }
    memset(data, 0, sizeof *data);
    data->device = (nvmlDevice_t)&gpus[index];
    data->eventType = CNVML_EVENT_TYPE_XID_CRITICAL_ERROR;
    data->eventData = code;
    data->gpuInstanceId = CNVML_INVALID_INSTANCE_ID;
    data->computeInstanceId = CNVML_INVALID_INSTANCE_ID;
    return NVML_SUCCESS;
}
#endif
