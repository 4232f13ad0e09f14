/*
 * The UDP memo-hit fast path of dns_filter.server (Linux only, optional).
 *
 * One call reads a burst of datagrams with recvmmsg, answers those that repeat a query
 * the server has already answered (its exact memo: (who, the query after its ID) ->
 * [entry, parsed, (valid until, answer after its ID)]) and sends those answers with one
 * sendmmsg. Everything else -- memo misses, expired or large answers, failed profiles,
 * anything unusual -- goes back to Python unchanged, which answers it as before. So the
 * C code decides nothing the Python path would not: it only skips the interpreter for
 * the commonest packet. All Python objects it reads are checked for their types, and
 * every length comes from the kernel and is bounded by the buffer; the packet's bytes
 * are compared, copied and echoed (its ID), never parsed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_BATCH 64
#define READ_SIZE 4096 /* as the Python path: a larger query is not one we can answer */
#define MIN_UDP_PAYLOAD 512 /* a larger answer may need truncating: Python decides */

/* Receive buffers live here rather than on the stack (256 KiB); `busy` guards against a
 * second call while one is running (the GIL can change hands inside a dict look-up that
 * runs Python code). */
static unsigned char buffers[MAX_BATCH][READ_SIZE];
static struct sockaddr_storage peers[MAX_BATCH];
static int busy = 0;

static double
monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The peer as Python's socket module gives it: (host, port) or (host, port, flow, scope). */
static PyObject *
address_tuple(const struct sockaddr_storage *peer)
{
    char text[INET6_ADDRSTRLEN];
    if (peer->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)peer;
        if (inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text) == NULL)
            return PyErr_SetFromErrno(PyExc_OSError);
        return Py_BuildValue("(si)", text, (int)ntohs(v4->sin_port));
    }
    if (peer->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)peer;
        if (inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text) == NULL)
            return PyErr_SetFromErrno(PyExc_OSError);
        return Py_BuildValue("(siII)", text, (int)ntohs(v6->sin6_port),
                             (unsigned int)ntohl(v6->sin6_flowinfo),
                             (unsigned int)v6->sin6_scope_id);
    }
    PyErr_SetString(PyExc_OSError, "datagram from an unknown address family");
    return NULL;
}

/* Hand packet `i` back to Python: append (data, address, client_ip, who) to `misses`. */
static int
hand_back(PyObject *misses, int i, unsigned int length, PyObject *client)
{
    PyObject *data = PyBytes_FromStringAndSize((const char *)buffers[i], length);
    PyObject *addr = data ? address_tuple(&peers[i]) : NULL;
    PyObject *item = addr ? PyTuple_Pack(4, data, addr, PyTuple_GET_ITEM(client, 0),
                                         PyTuple_GET_ITEM(client, 1))
                          : NULL;
    int failed = item == NULL || PyList_Append(misses, item) < 0;
    Py_XDECREF(item);
    Py_XDECREF(addr);
    Py_XDECREF(data);
    return failed ? -1 : 0;
}

/* (client_ip, who) for a peer, as a new reference: who is profile_for(client_ip), the
 * address itself without profile_for, or `unknown` when profile_for fails (which never
 * matches a memo key: Python then answers the packet and reports the failure). NULL
 * only for errors that must not be swallowed (no memory, KeyboardInterrupt). */
static PyObject *
client_of(const struct sockaddr_storage *peer, PyObject *profile_for, PyObject *unknown)
{
    char text[INET6_ADDRSTRLEN];
    const void *raw = peer->ss_family == AF_INET
                          ? (const void *)&((const struct sockaddr_in *)peer)->sin_addr
                          : (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr;
    PyObject *client_ip, *who, *client;

    if (peer->ss_family != AF_INET && peer->ss_family != AF_INET6) {
        PyErr_SetString(PyExc_OSError, "datagram from an unknown address family");
        return NULL;
    }
    if (inet_ntop(peer->ss_family, raw, text, sizeof text) == NULL)
        return PyErr_SetFromErrno(PyExc_OSError);
    client_ip = PyUnicode_FromString(text);
    if (client_ip == NULL)
        return NULL;
    if (profile_for == Py_None) {
        who = Py_NewRef(client_ip);
    } else {
        who = PyObject_CallOneArg(profile_for, client_ip);
        if (who == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_Exception)) {
                Py_DECREF(client_ip);
                return NULL;
            }
            PyErr_Clear();
            who = Py_NewRef(unknown);
        }
    }
    client = PyTuple_Pack(2, client_ip, who);
    Py_DECREF(who);
    Py_DECREF(client_ip);
    return client;
}

/* Whether a packet is a plain, well-formed query: QR 0, opcode QUERY, one question, no
 * answer or authority records; the question's name plain labels of 1-63 bytes (no
 * pointers) within 255 bytes, then a type and a class; at most one additional record, an
 * OPT of EDNS version 0 whose data ends the packet; at most 512 bytes in all. Read, not
 * parsed: a muted client's questions still reach Python, its junk does not. Kept the same
 * as dns_filter.server._looks_like_a_query. */
static int
looks_like_a_query(const unsigned char *packet, unsigned int length)
{
    unsigned int pos = 12, label, data_length;

    if (length < 17 || length > 512 || (packet[2] & 0xF8) != 0 || packet[4] != 0 ||
        packet[5] != 1 || packet[6] != 0 || packet[7] != 0 || packet[8] != 0 ||
        packet[9] != 0 || packet[10] != 0 || packet[11] > 1)
        return 0;
    for (;;) {
        if (pos >= length)
            return 0;
        label = packet[pos];
        if (label == 0)
            break;
        if (label > 63)
            return 0;
        pos += 1 + label;
        if (pos - 12 > 255)
            return 0;
    }
    pos += 1 + 4; /* the root label, the type and the class */
    if (packet[11] == 0)
        return pos == length;
    if (pos + 11 > length || packet[pos] != 0 || packet[pos + 1] != 0 || packet[pos + 2] != 41 ||
        packet[pos + 6] != 0)
        return 0;
    data_length = ((unsigned int)packet[pos + 9] << 8) | packet[pos + 10];
    return pos + 11 + data_length == length;
}

/* The answer (after its ID) for packet `i`, as a new reference, or NULL when Python must
 * handle the packet (with an error set only when something failed). `client` is
 * (client_ip, who). The packet itself is never parsed here: the exact memo's key is its
 * bytes after the ID, so any difference in flags, case, type, class or EDNS is a miss. */
static PyObject *
memo_answer(PyObject *exact, PyObject *client, int i, unsigned int length, double now,
            PyObject **entry_out)
{
    PyObject *tail, *key, *hit, *ready, *valid, *body, *answer = NULL;

    if (length < 12)
        return NULL; /* not even a header: Python drops or answers it */
    tail = PyBytes_FromStringAndSize((const char *)buffers[i] + 2, length - 2);
    if (tail == NULL)
        return NULL;
    key = PyTuple_Pack(2, PyTuple_GET_ITEM(client, 1), tail);
    Py_DECREF(tail);
    if (key == NULL)
        return NULL;
    hit = PyDict_GetItemWithError(exact, key); /* borrowed */
    Py_XINCREF(hit); /* the look-up may have run Python code; keep it alive */
    Py_DECREF(key);
    if (hit == NULL)
        return NULL;
    /* hit = [entry, parsed, (valid until, answer after its ID)] */
    if (PyList_CheckExact(hit) && PyList_GET_SIZE(hit) == 3) {
        ready = PyList_GET_ITEM(hit, 2);
        if (PyTuple_CheckExact(ready) && PyTuple_GET_SIZE(ready) == 2) {
            valid = PyTuple_GET_ITEM(ready, 0);
            body = PyTuple_GET_ITEM(ready, 1);
            /* an expired answer must be aged again, a large one may need truncating:
             * both are Python's */
            if (PyFloat_CheckExact(valid) && now < PyFloat_AS_DOUBLE(valid) &&
                PyBytes_CheckExact(body) && PyBytes_GET_SIZE(body) + 2 <= MIN_UDP_PAYLOAD) {
                answer = Py_NewRef(body);
                *entry_out = Py_NewRef(PyList_GET_ITEM(hit, 0));
            }
        }
    }
    Py_DECREF(hit);
    return answer;
}

/*
 * serve(fd, exact, profile_for, unknown, clock, hits, misses[, muted]) -> int
 *
 * Reads up to MAX_BATCH datagrams from the non-blocking UDP socket `fd`. `profile_for`
 * (or None) is called once per client per burst, as the Python loop does, so a profile
 * change (another child at the desktop) is seen at once. Each packet whose exact memo
 * entry is still valid is answered, and entry, client_ip and latency appended to `hits`
 * (flat: three items per answer, no tuple each, so the query log of a burst is one
 * object for the garbage collector, not one per answer). Every other packet is appended
 * to `misses` as (data, address, client_ip, who). `clock` is the server's memo clock,
 * read once per burst. A packet whose client `profile_for` names as `muted` (when given)
 * is dropped here, neither answered nor handed back, unless its header is a plain
 * query's: what the server does with a client flooding it with junk. Returns the number of datagrams read (0 when none was waiting),
 * or -errno when the read failed (Python then reads with recvfrom, which reports it).
 */
static PyObject *
serve(PyObject *module, PyObject *args)
{
    int fd, count, i, answered = 0;
    PyObject *exact, *profile_for, *unknown, *clock, *hits, *misses, *muted = NULL;
    struct mmsghdr messages[MAX_BATCH];
    struct iovec read_iov[MAX_BATCH];
    struct mmsghdr replies[MAX_BATCH];
    struct iovec reply_iov[MAX_BATCH][2];
    PyObject *bodies[MAX_BATCH];
    PyObject *entries[MAX_BATCH];
    PyObject *client_ips[MAX_BATCH];
    PyObject *client = NULL, *now_object;
    const struct sockaddr_storage *last_peer = NULL;
    double started, now, latency = 0.0;
    PyObject *result = NULL;

    (void)module;
    if (!PyArg_ParseTuple(args, "iO!OOOO!O!|O:serve", &fd, &PyDict_Type, &exact, &profile_for,
                          &unknown, &clock, &PyList_Type, &hits, &PyList_Type, &misses,
                          &muted))
        return NULL;
    if (busy)
        return PyLong_FromLong(-EBUSY);
    busy = 1;

    started = monotonic_now();
    memset(messages, 0, sizeof messages);
    for (i = 0; i < MAX_BATCH; i++) {
        read_iov[i].iov_base = buffers[i];
        read_iov[i].iov_len = READ_SIZE;
        messages[i].msg_hdr.msg_iov = &read_iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &peers[i];
        messages[i].msg_hdr.msg_namelen = sizeof peers[i];
    }
    count = recvmmsg(fd, messages, MAX_BATCH, MSG_DONTWAIT, NULL);
    if (count < 0) {
        int error = errno;
        busy = 0;
        if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR)
            return PyLong_FromLong(0);
        return PyLong_FromLong(-error);
    }
    if (count == 0) {
        busy = 0;
        return PyLong_FromLong(0);
    }

    now_object = PyObject_CallNoArgs(clock);
    if (now_object == NULL)
        goto done;
    now = PyFloat_AsDouble(now_object);
    Py_DECREF(now_object);
    if (now == -1.0 && PyErr_Occurred())
        goto done;

    for (i = 0; i < count; i++) {
        unsigned int length = messages[i].msg_len;
        const struct sockaddr_storage *peer = &peers[i];
        PyObject *body, *entry = NULL;

        if (length > READ_SIZE) /* cannot happen; never read past the buffer */
            length = READ_SIZE;
        /* one profile look-up per run of packets from the same address */
        if (last_peer == NULL || peer->ss_family != last_peer->ss_family ||
            (peer->ss_family == AF_INET
                 ? memcmp(&((const struct sockaddr_in *)peer)->sin_addr,
                          &((const struct sockaddr_in *)last_peer)->sin_addr, 4) != 0
                 : memcmp(&((const struct sockaddr_in6 *)peer)->sin6_addr,
                          &((const struct sockaddr_in6 *)last_peer)->sin6_addr, 16) != 0)) {
            Py_CLEAR(client);
            client = client_of(peer, profile_for, unknown);
            if (client == NULL)
                goto done;
            last_peer = peer;
        }
        if (muted != NULL && PyTuple_GET_ITEM(client, 1) == muted &&
            !looks_like_a_query(buffers[i], length))
            continue; /* a flooding client's junk: dropped unread, before any look-up */
        body = memo_answer(exact, client, i, length, now, &entry);
        if (body == NULL) {
            if (PyErr_Occurred()) {
                if (!PyErr_ExceptionMatches(PyExc_Exception))
                    goto done;
                PyErr_Clear(); /* an odd key: Python's path meets it and reports it */
            }
            if (hand_back(misses, i, length, client) < 0)
                goto done;
            continue;
        }
        /* the answer is the query's ID followed by the memoised answer after its ID */
        reply_iov[answered][0].iov_base = buffers[i];
        reply_iov[answered][0].iov_len = 2;
        reply_iov[answered][1].iov_base = PyBytes_AS_STRING(body);
        reply_iov[answered][1].iov_len = (size_t)PyBytes_GET_SIZE(body);
        memset(&replies[answered], 0, sizeof replies[answered]);
        replies[answered].msg_hdr.msg_iov = reply_iov[answered];
        replies[answered].msg_hdr.msg_iovlen = 2;
        replies[answered].msg_hdr.msg_name = &peers[i];
        replies[answered].msg_hdr.msg_namelen = messages[i].msg_hdr.msg_namelen;
        bodies[answered] = body;
        entries[answered] = entry;
        client_ips[answered] = Py_NewRef(PyTuple_GET_ITEM(client, 0));
        answered++;
    }

    /* Send every answer; a failed send (full buffer) is skipped like the Python path
     * does: the client asks again. */
    for (i = 0; i < answered;) {
        int sent = sendmmsg(fd, &replies[i], (unsigned int)(answered - i), MSG_DONTWAIT);
        if (sent > 0)
            i += sent;
        else if (sent < 0 && errno == EINTR)
            continue;
        else
            i++; /* this one failed: go on with the next */
    }
    latency = monotonic_now() - started;
    result = PyLong_FromLong(count);

done:
    /* Log the answers that went out (or release them after an error), then let go. */
    if (result != NULL && answered > 0) {
        PyObject *seconds = PyFloat_FromDouble(latency); /* one burst, one latency */
        for (i = 0; result != NULL && i < answered; i++) {
            if (seconds == NULL || PyList_Append(hits, entries[i]) < 0 ||
                PyList_Append(hits, client_ips[i]) < 0 || PyList_Append(hits, seconds) < 0)
                Py_CLEAR(result);
        }
        Py_XDECREF(seconds);
    }
    for (i = 0; i < answered; i++) {
        Py_DECREF(bodies[i]);
        Py_DECREF(entries[i]);
        Py_DECREF(client_ips[i]);
    }
    Py_XDECREF(client);
    busy = 0;
    return result;
}

static PyMethodDef methods[] = {
    {"serve", serve, METH_VARARGS,
     "serve(fd, exact, profile_for, unknown, clock, hits, misses[, muted]) -> int\n\n"
     "Answer a burst of UDP memo hits; hand the rest back in `misses`."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "dns_filter._fastpath",
    "The UDP memo-hit fast path of dns_filter.server (see dns_filter/_fastpath.c).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__fastpath(void)
{
    PyObject *module = PyModule_Create(&module_definition);
    if (module != NULL && PyModule_AddIntConstant(module, "MAX_BATCH", MAX_BATCH) < 0)
        Py_CLEAR(module);
    /* 2: serve() takes `muted`; dns_filter.server refuses a module built before it */
    if (module != NULL && PyModule_AddIntConstant(module, "API_VERSION", 2) < 0)
        Py_CLEAR(module);
    return module;
}
