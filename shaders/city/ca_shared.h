// Constants shared by the city automaton's C++ reference (src/modules/city/sleuth.cpp) and its compute
// shaders (shaders/city/*.comp): plain #defines only, so both languages read this file as it is.
#ifndef CITY_CA_SHARED_H
#define CITY_CA_SHARED_H

// Workgroup shape of the automaton passes (rows of cells are contiguous in memory).
#define CA_LOCAL_X 16
#define CA_LOCAL_Y 16

// Cell state bits.
#define CA_URBAN 1u
#define CA_ROAD 2u
#define CA_WATER 4u
#define CA_EXCLUDED 8u
#define CA_NEW_SPONT 16u  // urbanized by spontaneous growth in this generation (a candidate spreading centre)
#define CA_NEW 32u        // urbanized in this generation by any rule

// Random-stream ids: each rule draws from its own stream, so rules never share a number.
#define CA_RND_SPONT 0u
#define CA_RND_SPONT_SLOPE 1u
#define CA_RND_BREED 2u
#define CA_RND_BREED_DIR1 3u
#define CA_RND_BREED_DIR2 4u
#define CA_RND_BREED_SLOPE 5u
#define CA_RND_SPREAD 6u
#define CA_RND_SPREAD_DIR 7u
#define CA_RND_SPREAD_SLOPE 8u
#define CA_RND_ROAD 9u
#define CA_RND_ROAD_SLOPE 10u

// A built cell counts as an edge-growth source when it has at least this many built 8-neighbours
// (SLEUTH: a spreading centre has two or more urban neighbours).
#define CA_SPREAD_MIN_NEIGHBOURS 2

#endif
