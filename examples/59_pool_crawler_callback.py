"""
59 - A small crawler: download in the pool, parse in the main process (callback)
小爬虫：进程池中下载，主进程中用回调解析

Shows / 演示:
  get_page(url) runs in a Pool(3) worker (network waiting is the slow part); when a page is
  back, the pool calls parse_page(res) in the MAIN process, which appends "url:<..> size:[..]"
  to db.txt. Note the pids: <进程 A> get ... from workers, <进程 M> parse ... always the main pid.
  get_page 在 Pool(3) 的工作进程中执行（慢在等网络）；页面返回后，进程池在主进程中调用回调 parse_page，
  把 url 和大小追加到 db.txt。注意 pid：get 来自工作进程，parse 总是主进程。
In Process View / 在 Process View 里看:
  Five tasks on three workers, five results, five callbacks in the main process.
  五个任务、三个工作进程、五个结果、五次在主进程中的回调。
Tutorial / 教程:
  seed 001 "使用进程池来搞爬虫的时候" (get_page / parse_page, callback=parse_page, db.txt).
Fixed / 修正:
  No internet here: the five "sites" are served by a tiny HTTP server on 127.0.0.1 started by the
  example (the paths keep the tutorial's site names), fetched with urllib instead of requests
  (not in the standard library). db.txt is written in a temporary folder and removed.
  不访问外网：五个“网站”由示例自己在 127.0.0.1 上启动的小 HTTP 服务器提供（路径保留原文的网站名），
  用标准库 urllib 代替 requests。db.txt 写在临时目录中，结束时删除。
"""
from multiprocessing import Pool
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import urlopen
import os
import shutil
import tempfile
import threading

DB = None  # set in the main process only; parse_page runs there 只在主进程中设置，回调也在主进程中执行


class FakeSites(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ('<html><title>%s</title>%s</html>' % (self.path, 'x' * (100 * len(self.path))))
        body = body.encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the example's output readable
        pass


def get_page(url):
    print('<进程%s> get %s' % (os.getpid(), url))
    with urlopen(url, timeout=10) as response:  # was: requests.get(url)
        if response.status == 200:
            return {'url': url, 'text': response.read().decode('utf-8')}


def parse_page(res):
    print('<进程%s> parse %s' % (os.getpid(), res['url']))
    parse_res = 'url:<%s> size:[%s]\n' % (res['url'], len(res['text']))
    with open(DB, 'a') as f:
        f.write(parse_res)


if __name__ == '__main__':
    server = ThreadingHTTPServer(('127.0.0.1', 0), FakeSites)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = 'http://127.0.0.1:%d/' % server.server_address[1]
    folder = tempfile.mkdtemp(prefix='process-view-')
    DB = os.path.join(folder, 'db.txt')
    try:
        urls = [base + site for site in (
            'www.baidu.com',
            'www.python.org',
            'www.openstack.org',
            'help.github.com',
            'www.sina.com.cn',
        )]

        p = Pool(3)
        res_l = []
        for url in urls:
            res = p.apply_async(get_page, args=(url,), callback=parse_page)
            res_l.append(res)

        p.close()
        p.join()
        # 拿到的是get_page的结果,其实完全没必要拿该结果,该结果已经传给回调函数处理了
        print([res.get()['url'].rsplit('/', 1)[1] for res in res_l])
        with open(DB) as f:
            print('db.txt:')
            print(f.read(), end='')
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)
