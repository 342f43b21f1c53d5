// Clang's thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html),
// as leveldb and abseil spell them. With clang and -Wthread-safety (scripts/lint.sh), a
// member declared GUARDED_BY(mutex_) that is read or written without mutex_ held, a function
// declared REQUIRES(mutex_) called without it, or a lock not released on every path, is a
// compile error. Other compilers (g++) see nothing: every macro is empty there.
//
// The analysis knows only capability-annotated types; libstdc++'s std::mutex is not one, so
// guard data with base/mutex.h's Mutex (and MutexLock, CondVar) instead.
#pragma once

#if defined(__clang__)
#define HIPPO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define HIPPO_THREAD_ANNOTATION(x)
#endif

// A type whose objects are capabilities (a mutex). `x` names the kind in diagnostics.
#define CAPABILITY(x) HIPPO_THREAD_ANNOTATION(capability(x))
// An RAII type that holds a capability for its lifetime (a lock guard).
#define SCOPED_CAPABILITY HIPPO_THREAD_ANNOTATION(scoped_lockable)

// A data member that may be touched only with the capability held.
#define GUARDED_BY(x) HIPPO_THREAD_ANNOTATION(guarded_by(x))
// A pointer member whose pointee may be touched only with the capability held.
#define PT_GUARDED_BY(x) HIPPO_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock ordering: this capability is acquired after / before the listed ones.
#define ACQUIRED_AFTER(...) HIPPO_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) HIPPO_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))

// A function that must be called with the capabilities held (and leaves them held).
#define REQUIRES(...) HIPPO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) HIPPO_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// A function that acquires / releases the capabilities (none listed: `this`).
#define ACQUIRE(...) HIPPO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) HIPPO_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) HIPPO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) HIPPO_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// A function that acquires the capabilities when it returns `x` (a try_lock).
#define TRY_ACQUIRE(...) HIPPO_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// A function that must be called with the capabilities not held (it takes them itself).
#define EXCLUDES(...) HIPPO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// A function that checks at run time that the capability is held; the analysis then assumes it.
#define ASSERT_CAPABILITY(x) HIPPO_THREAD_ANNOTATION(assert_capability(x))
// A function that returns a reference to the capability (an accessor).
#define RETURN_CAPABILITY(x) HIPPO_THREAD_ANNOTATION(lock_returned(x))

// Turns the analysis off in one function; say why beside it.
#define NO_THREAD_SAFETY_ANALYSIS HIPPO_THREAD_ANNOTATION(no_thread_safety_analysis)
