// Catch2's main. With pss, this translation unit also registers the listener.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#if PSS_EXAMPLES_WITH_PSS
#include <pss/catch2.hpp>
#endif
