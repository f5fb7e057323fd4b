/* A third-party abi3 extension module as pip installs one (a .pyd that
 * imports python3.dll, not pythonXY.dll), for tests/windows/check_real.py.
 * There are no Windows CPython headers here, so the few pieces of the
 * limited API it uses are declared by hand, as Include/object.h,
 * Include/moduleobject.h and Include/methodobject.h lay them out for a
 * 64-bit release build; PYTHON_ABI_VERSION is 3 (Include/modsupport.h).
 * Linked against python3.dll itself, so the import table names it. */
#include <stdint.h>

typedef intptr_t Py_ssize_t;
typedef struct PyObject {
    Py_ssize_t ob_refcnt;
    void *ob_type;
} PyObject;
typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);
typedef struct PyMethodDef {
    const char *ml_name;
    PyCFunction ml_meth;
    int ml_flags;
    const char *ml_doc;
} PyMethodDef;
typedef struct PyModuleDef_Base {
    PyObject ob_base;
    PyObject *(*m_init)(void);
    Py_ssize_t m_index;
    PyObject *m_copy;
} PyModuleDef_Base;
typedef struct PyModuleDef {
    PyModuleDef_Base m_base;
    const char *m_name;
    const char *m_doc;
    Py_ssize_t m_size;
    PyMethodDef *m_methods;
    void *m_slots, *m_traverse, *m_clear, *m_free;
} PyModuleDef;

#define METH_NOARGS 0x0004
#define PYTHON_ABI_VERSION 3

__declspec(dllimport) PyObject *PyModule_Create2(PyModuleDef *, int);
__declspec(dllimport) PyObject *PyLong_FromLong(long);

static PyObject *answer(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(42);
}

static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, "42"}, {0, 0, 0, 0}};
static PyModuleDef module = {{{1, 0}, 0, 0, 0}, "abi3demo", 0, -1, methods, 0, 0, 0, 0};

__declspec(dllexport) PyObject *PyInit_abi3demo(void) {
    return PyModule_Create2(&module, PYTHON_ABI_VERSION);
}
