import os, time
def TR(what):
    fd = os.open("/work/proto-trace", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, f"{time.monotonic():.6f} {os.getpid()} {what}\n".encode())
    os.close(fd)
