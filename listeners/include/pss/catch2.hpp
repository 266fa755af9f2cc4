// Catch2 listener: include this header in one translation unit of a Catch2
// test binary and link pss::catch2. Best in the file with Catch2's main:
//
//   #define CATCH_CONFIG_MAIN
//   #include <catch2/catch.hpp>
//   #include <pss/catch2.hpp>
//
// It registers a listener that writes one pss trace record per test case
// (sections do not make extra records) when PSS_TRACE_FILE is set. This
// header includes <catch2/catch.hpp> itself, so define CATCH_CONFIG_MAIN
// before including either.
#pragma once

#if defined(CATCH_VERSION_MAJOR) && CATCH_VERSION_MAJOR >= 3
#error "pss: this listener supports Catch2 v2 (single header <catch2/catch.hpp>); Catch2 v3 is not supported yet"
#endif

#include "pss/catch2/v2_listener.hpp"
