/**
 * Reference URLs for check metadata, all cited by advisories.md / advisories.json (sources read
 * there). Findings add the matching advisory records' own references from the database.
 */
export const REF = {
  pythonMiioDiscovery: 'https://github.com/rytilahti/python-miio/blob/master/docs/discovery.rst',
  openMiHomeProtocol: 'https://github.com/OpenMiHome/mihome-binary-protocol/blob/master/doc/PROTOCOL.md',
  miioIssue40: 'https://github.com/aholstenson/miio/issues/40',
  pythonMiioIssue14: 'https://github.com/rytilahti/python-miio/issues/14',
  unprovisionedPlug: 'https://www.vanwerkhoven.org/blog/2021/cloudless-xiaomi-smart-plug/',
  xmirGateway: 'https://github.com/openwrt-xiaomi/xmir-patcher/blob/main/gateway.py',
  xmirConnect3: 'https://github.com/openwrt-xiaomi/xmir-patcher/blob/main/connect3.py',
  openWrtInvasion: 'https://github.com/acecilia/OpenWRTInvasion/blob/master/README.md',
  gw3Issue1223: 'https://github.com/AlexxIT/XiaomiGateway3/issues/1223',
  gw3ShellMgw: 'https://github.com/AlexxIT/XiaomiGateway3/blob/master/custom_components/xiaomi_gateway3/core/shell/shell_mgw.py',
  gw3ReadmeMqtt: 'https://github.com/AlexxIT/XiaomiGateway3/blob/1bd08610c08f06e717e60f93ef984f055d262f87/README.md',
  aqaraM3Telnet: 'https://github.com/niceboygithub/AqaraCameraHubfw/blob/main/modified/M3/telnet.md',
  valetudoDefaultConfig: 'https://github.com/Hypfer/Valetudo/blob/master/backend/lib/res/default_config.json',
  valetudoAdvertisement: 'https://github.com/Hypfer/Valetudo/blob/master/backend/lib/NetworkAdvertisementManager.js',
  rand256Release: 'https://github.com/rand256/valetudo/releases/tag/0.10.7',
  vacuumHacked: 'https://www.imperialnews.com/post/xiaomi-mi-robot-vacuum-cleaner-hacked',
  dafangFaq: 'https://github.com/EliasKotlyar/Xiaomi-Dafang-Hacks/blob/master/hacks/faq.md',
  dafangTinycam: 'https://github.com/EliasKotlyar/Xiaomi-Dafang-Hacks/blob/master/integration/tinycam/tinycam.md',
  mijia1080pHacks: 'https://github.com/telmomarques/xiaomi-360-1080p-hacks/blob/master/README.md',
  mijia720pHack: 'https://github.com/niclet/xiaomi_hack/blob/master/README.md',
  yeelightOpenhab: 'https://openhab.org/addons/bindings/yeelight',
  yeelightPython: 'https://github.com/skorokithakis/python-yeelight/blob/master/docs/source/index.rst',
  yeelightWebthings: 'https://github.com/WebThingsIO/yeelight-adapter',
  lumiLanDoc: 'https://github.com/lumi-openlcoud/opencloud-docs/blob/master/en/docs/development/gateway-LAN-communication.md',
  valetudoRoborock: 'https://github.com/Hypfer/Valetudo/blob/master/docs/pages/installation/roborock.md',
  cveRecordsXiaomi: 'https://github.com/CVEProject/cvelistV5',
} as const;
