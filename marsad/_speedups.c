/*
 * marsad._speedups: the NER's Viterbi search in C.
 *
 * Why C: the search is a short loop over tokens × labels × labels (9 × 9 for the shipped
 * model) that numpy can only run one token step at a time, at a few microseconds of call
 * overhead per step; in C a whole article takes a few microseconds.  The arithmetic is the
 * one numpy does in marsad.ner.NerModel.decode_numpy (same additions in the same order,
 * first maximum wins), so both give identical labels; a test checks it.
 *
 * Optional: when this module is not compiled (no C compiler at install time), marsad uses
 * the numpy version.  Arrays come in through the buffer protocol, so no numpy headers are
 * needed to build it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

static int
get_buf(PyObject *obj, Py_buffer *view, const char *fmt, int writable, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '@' || *f == '=' || *f == '<')
        f++;
    if (strcmp(f, fmt) != 0 && !(fmt[0] == 'q' && strcmp(f, "l") == 0 && sizeof(long) == 8)) {
        PyErr_Format(PyExc_TypeError, "%s: expected buffer format '%s', got '%s'", name, fmt,
                     view->format ? view->format : "B");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(viterbi_doc,
"viterbi(e, trans, lo, lens, out)\n\n"
"Best label path of each sentence [lo[k], lo[k]+lens[k]) of the emission matrix e\n"
"(n x L float64, C order) under transitions trans (L x L float64, trans[p, l] scores\n"
"p followed by l).  Labels are written to out (n int64) at the sentence's token\n"
"positions; other positions are left as they are.  lo, lens are int64 arrays.");

static PyObject *
viterbi(PyObject *self, PyObject *args)
{
    PyObject *oe, *ot, *olo, *olens, *oout;
    if (!PyArg_ParseTuple(args, "OOOOO", &oe, &ot, &olo, &olens, &oout))
        return NULL;
    Py_buffer be = {0}, bt = {0}, blo = {0}, blens = {0}, bout = {0};
    PyObject *result = NULL;
    double *score = NULL, *next = NULL;
    long long *back = NULL;
    if (get_buf(oe, &be, "d", 0, "e") < 0) goto done;
    if (get_buf(ot, &bt, "d", 0, "trans") < 0) goto done;
    if (get_buf(olo, &blo, "q", 0, "lo") < 0) goto done;
    if (get_buf(olens, &blens, "q", 0, "lens") < 0) goto done;
    if (get_buf(oout, &bout, "q", 1, "out") < 0) goto done;

    Py_ssize_t tlen = bt.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t L = 0;
    while (L * L < tlen) L++;
    if (L == 0 || L * L != tlen) { PyErr_SetString(PyExc_ValueError, "trans must be L x L"); goto done; }
    Py_ssize_t n = be.len / (Py_ssize_t)sizeof(double) / L;
    if (n * L * (Py_ssize_t)sizeof(double) != be.len) { PyErr_SetString(PyExc_ValueError, "e must be n x L"); goto done; }
    if (bout.len / 8 != n) { PyErr_SetString(PyExc_ValueError, "out must have n items"); goto done; }
    Py_ssize_t nseg = blo.len / 8;
    if (blens.len / 8 != nseg) {
        PyErr_SetString(PyExc_ValueError, "lo and lens must have the same length");
        goto done;
    }
    const double *e = be.buf, *t = bt.buf;
    const long long *lo = blo.buf, *lens = blens.buf;
    long long *out = bout.buf;
    Py_ssize_t maxlen = 0;
    for (Py_ssize_t k = 0; k < nseg; k++) {
        if (lo[k] < 0 || lens[k] < 0 || lo[k] + lens[k] > n) {
            PyErr_SetString(PyExc_ValueError, "segment out of range");
            goto done;
        }
        if (lens[k] > maxlen) maxlen = lens[k];
    }
    score = malloc(sizeof(double) * L);
    next = malloc(sizeof(double) * L);
    back = malloc(sizeof(long long) * (maxlen > 0 ? maxlen : 1) * L);
    if (!score || !next || !back) { PyErr_NoMemory(); goto done; }

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < nseg; k++) {
        Py_ssize_t a = lo[k], m = lens[k];
        if (m == 0) continue;
        for (Py_ssize_t l = 0; l < L; l++)
            score[l] = e[a * L + l];
        for (Py_ssize_t s = 1; s < m; s++) {
            const double *em = e + (a + s) * L;
            long long *bk = back + s * L;
            for (Py_ssize_t l = 0; l < L; l++) {
                double best = score[0] + t[l];
                long long arg = 0;
                for (Py_ssize_t p = 1; p < L; p++) {
                    double v = score[p] + t[p * L + l];
                    if (v > best) { best = v; arg = p; }
                }
                next[l] = best + em[l];
                bk[l] = arg;
            }
            memcpy(score, next, sizeof(double) * L);
        }
        long long y = 0;
        for (Py_ssize_t l = 1; l < L; l++)
            if (score[l] > score[y]) y = l;
        out[a + m - 1] = y;
        for (Py_ssize_t s = m - 1; s > 0; s--) {
            y = back[s * L + y];
            out[a + s - 1] = y;
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    free(score);
    free(next);
    free(back);
    if (be.obj) PyBuffer_Release(&be);
    if (bt.obj) PyBuffer_Release(&bt);
    if (blo.obj) PyBuffer_Release(&blo);
    if (blens.obj) PyBuffer_Release(&blens);
    if (bout.obj) PyBuffer_Release(&bout);
    return result;
}

static PyMethodDef methods[] = {
    {"viterbi", viterbi, METH_VARARGS, viterbi_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "marsad's compiled inner loops (optional).", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
