{
  "targets": [
    {
      "target_name": "sockcall",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/calls.cc",
        "native/constants.cc",
        "native/io_calls.cc",
        "native/lookup.cc",
        "native/pool.cc",
        "native/promise.cc",
        "native/ready.cc",
        "native/results.cc",
        "native/sockaddr.cc",
        "native/socket_calls.cc",
        "native/trace.cc",
        "native/wait_calls.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "_GNU_SOURCE"
      ],
      "cflags!": [
        "-fno-exceptions"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fexceptions",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter"
      ],
      "conditions": [
        [
          "OS!='linux'",
          {
            "type": "none"
          }
        ]
      ]
    }
  ]
}
