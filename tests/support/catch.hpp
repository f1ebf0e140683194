#pragma once
// Catch2 v2 (Debian 12) and v3 (newer distributions) keep their headers in different places.
#if CONC_PROBE_CATCH_V3
#include <catch2/catch_all.hpp>
using Catch::Approx;
#else
#include <catch2/catch.hpp>
#endif
