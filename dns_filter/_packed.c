/*
 * Sorting and probing for the packed domain index of dns_filter.lists.index (optional).
 *
 * The index keeps each rule as a 64-bit fingerprint in an array('q'), sorted, with the
 * number of its list in a parallel array('H'). Sorting a million pairs in Python takes
 * seconds and a million int objects; here it takes a fraction of a second, in place,
 * with no allocation and without the GIL (the buffers stay locked while they are
 * exported, so no Python code can resize them meanwhile). dns_filter/lists/index.py has
 * the same steps in Python for when this module is not built. `first_rule` probes the
 * tables of every category a child has blocked for a name and its parents in one call.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

typedef struct {
    int64_t *keys;
    uint16_t *numbers;
} Pairs;

/* (key, number) order: the same rule from several lists sorts its first list first. */
static inline int
pair_less(const Pairs *p, Py_ssize_t a, Py_ssize_t b)
{
    return p->keys[a] < p->keys[b] || (p->keys[a] == p->keys[b] && p->numbers[a] < p->numbers[b]);
}

static inline void
pair_swap(Pairs *p, Py_ssize_t a, Py_ssize_t b)
{
    int64_t key = p->keys[a];
    uint16_t number = p->numbers[a];
    p->keys[a] = p->keys[b];
    p->numbers[a] = p->numbers[b];
    p->keys[b] = key;
    p->numbers[b] = number;
}

static void
insertion_sort(Pairs *p, Py_ssize_t low, Py_ssize_t high)
{
    for (Py_ssize_t i = low + 1; i <= high; i++)
        for (Py_ssize_t j = i; j > low && pair_less(p, j, j - 1); j--)
            pair_swap(p, j, j - 1);
}

static void
sift_down(Pairs *p, Py_ssize_t base, Py_ssize_t root, Py_ssize_t count)
{
    for (;;) {
        Py_ssize_t child = 2 * root + 1;
        if (child >= count)
            return;
        if (child + 1 < count && pair_less(p, base + child, base + child + 1))
            child++;
        if (!pair_less(p, base + root, base + child))
            return;
        pair_swap(p, base + root, base + child);
        root = child;
    }
}

static void
heap_sort(Pairs *p, Py_ssize_t low, Py_ssize_t high)
{
    Py_ssize_t count = high - low + 1;
    for (Py_ssize_t root = count / 2 - 1; root >= 0; root--)
        sift_down(p, low, root, count);
    for (Py_ssize_t end = count - 1; end > 0; end--) {
        pair_swap(p, low, low + end);
        sift_down(p, low, 0, end);
    }
}

/* Introsort: quicksort (median of three, Hoare partition, the smaller side first) that
 * turns to heap sort past a depth limit, so no input is quadratic. */
static void
intro_sort(Pairs *p, Py_ssize_t low, Py_ssize_t high, int depth)
{
    while (high - low > 16) {
        if (depth-- == 0) {
            heap_sort(p, low, high);
            return;
        }
        Py_ssize_t middle = low + (high - low) / 2;
        if (pair_less(p, middle, low))
            pair_swap(p, middle, low);
        if (pair_less(p, high, low))
            pair_swap(p, high, low);
        if (pair_less(p, high, middle))
            pair_swap(p, high, middle);
        int64_t pivot_key = p->keys[middle];
        uint16_t pivot_number = p->numbers[middle];
        Py_ssize_t i = low - 1, j = high + 1;
        for (;;) {
            do
                i++;
            while (p->keys[i] < pivot_key ||
                   (p->keys[i] == pivot_key && p->numbers[i] < pivot_number));
            do
                j--;
            while (p->keys[j] > pivot_key ||
                   (p->keys[j] == pivot_key && p->numbers[j] > pivot_number));
            if (i >= j)
                break;
            pair_swap(p, i, j);
        }
        if (j - low < high - j) {
            intro_sort(p, low, j, depth);
            low = j + 1;
        } else {
            intro_sort(p, j + 1, high, depth);
            high = j;
        }
    }
    insertion_sort(p, low, high);
}

static int
check_buffer(const Py_buffer *view, Py_ssize_t itemsize, const char *what)
{
    if (view->itemsize != itemsize || view->len % itemsize != 0) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes", what, itemsize);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(sort_unique_doc,
"sort_unique(keys, numbers) -> int\n\n"
"Sort the pairs (keys[i], numbers[i]) of an array('q') and an array('H') of the same\n"
"length in place, keep the first pair of each key and return how many were kept; the\n"
"caller cuts both arrays to that length.");

static PyObject *
sort_unique(PyObject *self, PyObject *args)
{
    Py_buffer keys_view, numbers_view;
    if (!PyArg_ParseTuple(args, "w*w*:sort_unique", &keys_view, &numbers_view))
        return NULL;
    Py_ssize_t count = keys_view.len / 8;
    Py_ssize_t kept = 0;
    if (check_buffer(&keys_view, 8, "keys") < 0 ||
        check_buffer(&numbers_view, 2, "numbers") < 0)
        goto fail;
    if (numbers_view.len / 2 != count) {
        PyErr_SetString(PyExc_ValueError, "keys and numbers differ in length");
        goto fail;
    }
    Pairs pairs = {(int64_t *)keys_view.buf, (uint16_t *)numbers_view.buf};
    Py_BEGIN_ALLOW_THREADS
    if (count > 1) {
        int depth = 0;
        for (Py_ssize_t n = count; n > 1; n >>= 1)
            depth += 2;
        intro_sort(&pairs, 0, count - 1, depth);
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (kept > 0 && pairs.keys[i] == pairs.keys[kept - 1])
            continue;
        pairs.keys[kept] = pairs.keys[i];
        pairs.numbers[kept] = pairs.numbers[i];
        kept++;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&keys_view);
    PyBuffer_Release(&numbers_view);
    return PyLong_FromSsize_t(kept);
fail:
    PyBuffer_Release(&keys_view);
    PyBuffer_Release(&numbers_view);
    return NULL;
}

PyDoc_STRVAR(bucket_starts_doc,
"bucket_starts(keys, starts, shift)\n\n"
"Fill the array('I') `starts` (2**bits + 1 items) so that the sorted keys of bucket b,\n"
"the keys k with (k >> shift) + 2**(bits - 1) == b, are keys[starts[b]:starts[b + 1]].");

static PyObject *
bucket_starts(PyObject *self, PyObject *args)
{
    Py_buffer keys_view, starts_view;
    int shift;
    if (!PyArg_ParseTuple(args, "y*w*i:bucket_starts", &keys_view, &starts_view, &shift))
        return NULL;
    Py_ssize_t count = keys_view.len / 8;
    Py_ssize_t buckets = starts_view.len / 4 - 1;
    if (check_buffer(&keys_view, 8, "keys") < 0 || check_buffer(&starts_view, 4, "starts") < 0)
        goto fail;
    if (shift < 1 || shift > 63 || buckets < 1 || count > UINT32_MAX ||
        (Py_ssize_t)1 << (64 - shift) != buckets) {
        PyErr_SetString(PyExc_ValueError, "starts must hold 2**(64 - shift) + 1 items");
        goto fail;
    }
    const int64_t *keys = (const int64_t *)keys_view.buf;
    uint32_t *starts = (uint32_t *)starts_view.buf;
    int64_t bias = (int64_t)1 << (63 - shift);
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t bucket = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t own = (Py_ssize_t)((keys[i] >> shift) + bias);
        while (bucket <= own)
            starts[bucket++] = (uint32_t)i;
    }
    while (bucket <= buckets)
        starts[bucket++] = (uint32_t)count;
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&keys_view);
    PyBuffer_Release(&starts_view);
    Py_RETURN_NONE;
fail:
    PyBuffer_Release(&keys_view);
    PyBuffer_Release(&starts_view);
    return NULL;
}

PyDoc_STRVAR(release_free_memory_doc,
"release_free_memory() -> bool\n\n"
"Hand the heap's free pages back to the OS (glibc's malloc_trim); False where the C\n"
"library has no such call. Building a big index frees many parser buffers in the middle\n"
"of the heap, which glibc would otherwise keep for the life of the process.");

static PyObject *
release_free_memory(PyObject *self, PyObject *unused)
{
#ifdef __GLIBC__
    Py_BEGIN_ALLOW_THREADS
    malloc_trim(0);
    Py_END_ALLOW_THREADS
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

PyDoc_STRVAR(fingerprints_doc,
"fingerprints(names) -> bytes\n\n"
"The hash() of every str of the list `names`, as native 64-bit integers: what\n"
"array('q').frombytes takes (one copy, no int object per name).");

static PyObject *
fingerprints(PyObject *self, PyObject *names)
{
    if (!PyList_Check(names)) {
        PyErr_SetString(PyExc_TypeError, "fingerprints() takes a list of str");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(names);
    PyObject *out = PyBytes_FromStringAndSize(NULL, count * (Py_ssize_t)sizeof(int64_t));
    if (out == NULL)
        return NULL;
    int64_t *keys = (int64_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *name = PyList_GET_ITEM(names, i);
        if (!PyUnicode_Check(name)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "fingerprints() takes a list of str");
            return NULL;
        }
        Py_hash_t hash = PyObject_Hash(name);
        if (hash == -1 && PyErr_Occurred()) {
            Py_DECREF(out);
            return NULL;
        }
        keys[i] = (int64_t)hash;
    }
    return out;
}

/* The most labels a name can have (253 characters, one per label and dot). */
#define MAX_SUFFIXES 128

PyDoc_STRVAR(first_rule_doc,
"first_rule(names, tables, skip) -> (table, name, position) or None\n\n"
"The first of `tables`, in order, whose sorted keys hold the hash() of one of `names`\n"
"(a tuple of str: a queried name, then each parent), most specific name first; tables\n"
"whose bit is set in `skip` are passed over. Returns the table's index, the name's and\n"
"the key's position. Each table is (keys, starts, shift) as PackedRules holds them: an\n"
"array('q') of sorted fingerprints, the array('I') of where each bucket starts, and\n"
"the shift that makes a key's bucket. One call serves every category of a child: each\n"
"name is hashed once and no Python runs per probe.");

static PyObject *
first_rule(PyObject *self, PyObject *args)
{
    PyObject *names, *tables;
    unsigned long long skip;
    if (!PyArg_ParseTuple(args, "O!O!K:first_rule", &PyTuple_Type, &names, &PyTuple_Type,
                          &tables, &skip))
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(names);
    Py_ssize_t table_count = PyTuple_GET_SIZE(tables);
    if (count > MAX_SUFFIXES || table_count > 64) {
        PyErr_SetString(PyExc_ValueError, "at most 128 names and 64 tables");
        return NULL;
    }
    int64_t hashes[MAX_SUFFIXES];
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        if (!PyUnicode_Check(name)) {
            PyErr_SetString(PyExc_TypeError, "first_rule() takes a tuple of str");
            return NULL;
        }
        Py_hash_t hash = PyObject_Hash(name); /* kept in the str: free after the first */
        if (hash == -1 && PyErr_Occurred())
            return NULL;
        hashes[i] = (int64_t)hash;
    }
    for (Py_ssize_t t = 0; t < table_count; t++) {
        if ((skip >> t) & 1)
            continue;
        PyObject *table = PyTuple_GET_ITEM(tables, t);
        if (!PyTuple_Check(table) || PyTuple_GET_SIZE(table) != 3) {
            PyErr_SetString(PyExc_TypeError, "a table is (keys, starts, shift)");
            return NULL;
        }
        long shift = PyLong_AsLong(PyTuple_GET_ITEM(table, 2));
        if (shift == -1 && PyErr_Occurred())
            return NULL;
        Py_buffer keys_view, starts_view;
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(table, 0), &keys_view, PyBUF_SIMPLE) < 0)
            return NULL;
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(table, 1), &starts_view, PyBUF_SIMPLE) < 0) {
            PyBuffer_Release(&keys_view);
            return NULL;
        }
        Py_ssize_t key_count = keys_view.len / 8;
        Py_ssize_t buckets = starts_view.len / 4 - 1;
        const int64_t *keys = (const int64_t *)keys_view.buf;
        const uint32_t *starts = (const uint32_t *)starts_view.buf;
        if (check_buffer(&keys_view, 8, "keys") < 0 || check_buffer(&starts_view, 4, "starts") < 0 ||
            shift < 1 || shift > 63 || buckets < 1 || (Py_ssize_t)1 << (64 - shift) != buckets ||
            starts[buckets] > key_count) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "starts do not fit the keys and shift");
            PyBuffer_Release(&keys_view);
            PyBuffer_Release(&starts_view);
            return NULL;
        }
        int64_t bias = (int64_t)1 << (63 - shift);
        Py_ssize_t found = -1, which = -1;
        for (Py_ssize_t i = 0; i < count && found < 0; i++) {
            int64_t key = hashes[i];
            Py_ssize_t bucket = (Py_ssize_t)((key >> shift) + bias);
            uint32_t low = starts[bucket], end = starts[bucket + 1], high = end;
            while (low < high) {
                uint32_t middle = low + (high - low) / 2;
                if (keys[middle] < key)
                    low = middle + 1;
                else
                    high = middle;
            }
            if (low < end && keys[low] == key) {
                found = low;
                which = i;
            }
        }
        PyBuffer_Release(&keys_view);
        PyBuffer_Release(&starts_view);
        if (found >= 0)
            return Py_BuildValue("(nnn)", t, which, found);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"first_rule", first_rule, METH_VARARGS, first_rule_doc},
    {"fingerprints", fingerprints, METH_O, fingerprints_doc},
    {"release_free_memory", release_free_memory, METH_NOARGS, release_free_memory_doc},
    {"sort_unique", sort_unique, METH_VARARGS, sort_unique_doc},
    {"bucket_starts", bucket_starts, METH_VARARGS, bucket_starts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "dns_filter._packed",
    "Sorting and probing for the packed domain index (optional; index.py has the same\n"
    "in Python).",
    -1, methods,
};

PyMODINIT_FUNC
PyInit__packed(void)
{
    return PyModule_Create(&module_definition);
}
