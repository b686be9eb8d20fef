{
  "targets": [
    {
      "target_name": "isal_inflate",
      "sources": ["src/inflate.c"],
      "libraries": ["-lisal"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
